using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Mcu.Server.Auth;

/// <summary>
/// The bearer key for the admin API: <c>Mcu:AdminKey</c>, or one generated at start-up
/// (and printed once to the console, never to the log) so the server never runs open.
/// </summary>
public sealed class AdminKey
{
    private readonly byte[] _hash;

    public AdminKey(IOptions<McuOptions> options)
    {
        string? configured = options.Value.AdminKey;
        IsGenerated = string.IsNullOrWhiteSpace(configured);
        Value = IsGenerated ? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24)) : configured!.Trim();
        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(Value));
    }

    public string Value { get; }

    public bool IsGenerated { get; }

    /// <summary>Constant-time comparison (of hashes, so the length does not leak either).</summary>
    public bool Matches(string candidate) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), _hash);
}
