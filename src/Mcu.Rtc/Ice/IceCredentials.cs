using System.Security.Cryptography;

namespace Mcu.Rtc.Ice;

/// <summary>
/// An ICE username fragment and password (RFC 8445 §5.3, grammar in RFC 8839 §5.4: ufrag 4..256
/// and password 22..256 ice-chars, i.e. ALPHA / DIGIT / "+" / "/").
/// </summary>
public sealed record IceCredentials(string Ufrag, string Password)
{
    public const int GeneratedUfragLength = 8;
    // 24 ice-chars carry 144 bits, above the 128 RFC 8445 §5.3 asks for.
    public const int GeneratedPasswordLength = 24;

    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public static IceCredentials Generate() => new(
        RandomNumberGenerator.GetString(IceChars, GeneratedUfragLength),
        RandomNumberGenerator.GetString(IceChars, GeneratedPasswordLength));
}
