using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Mcu.Conference.Rooms;
using Mcu.Server.Auth;
using Microsoft.Extensions.Options;

namespace Mcu.Server.Tests.Auth;

/// <summary>
/// Inputs AFL++ found for the room-token fuzz target (tests/Mcu.Fuzz), in its format: a first byte
/// that is odd means the rest is a claims document signed with the issuer's key, as only the
/// server (or someone holding the admin key) could. TryValidate must refuse them, not throw.
/// </summary>
public sealed class RoomTokenFuzzRegressionTests
{
    private const string AdminKeyValue = "fuzz-admin-key";
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    private readonly RoomTokenIssuer _issuer =
        new(new AdminKey(Options.Create(new McuOptions { AdminKey = AdminKeyValue })), new FixedTime(Now));

    public static TheoryData<string> Findings() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData", "fuzz", "room-token")).Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(Findings))]
    public void A_signed_token_with_claims_out_of_range_is_refused_not_thrown(string file)
    {
        byte[] input = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", "fuzz", "room-token", file));
        Assert.Equal(1, input[0] & 1);
        Assert.False(_issuer.TryValidate(Sign(input.AsSpan(1)), out _));
    }

    /// <summary>The control: signing as above is what the issuer checks, so the findings reach the claims.</summary>
    [Fact]
    public void Claims_signed_like_the_findings_are_accepted_when_in_range()
    {
        string token = Sign("""{"room":"r","role":"viewer","exp":1796000000,"nonce":"00"}"""u8);
        Assert.True(_issuer.TryValidate(token, out var claims));
        Assert.Equal(("r", ParticipantRole.Viewer), (claims.Room, claims.Role));
    }

    /// <summary>The issuer's token format with its key derivation (HMAC-SHA256 of the purpose under the admin key).</summary>
    private static string Sign(ReadOnlySpan<byte> claims)
    {
        byte[] key = HMACSHA256.HashData(Encoding.UTF8.GetBytes(AdminKeyValue), "mcu room tokens v1"u8);
        string payload = Base64Url.EncodeToString(claims);
        return payload + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(payload)));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
