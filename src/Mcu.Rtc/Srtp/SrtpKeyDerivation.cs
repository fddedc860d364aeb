using System.Security.Cryptography;

namespace Mcu.Rtc.Srtp;

/// <summary>
/// RFC 3711 §4.3 key derivation with key_derivation_rate 0, so r = 0 and the session
/// keys never change: x = (label || 0^48) XOR master_salt, output = AES-CM(master_key, x * 2^16).
/// </summary>
internal static class SrtpKeyDerivation
{
    public const byte RtpEncryptionLabel = 0x00;
    public const byte RtpAuthenticationLabel = 0x01;
    public const byte RtpSaltLabel = 0x02;
    public const byte RtcpEncryptionLabel = 0x03;
    public const byte RtcpAuthenticationLabel = 0x04;
    public const byte RtcpSaltLabel = 0x05;

    // The 56-bit key_id is XORed into the low 56 bits of the 112-bit salt: the label lands on byte 7.
    private const int LabelOffset = 7;
    private const int SaltFieldLength = 14;

    /// <summary>
    /// Fills <paramref name="output"/> with the session key of <paramref name="label"/>.
    /// A 96-bit (AES-GCM, RFC 7714 §11) master salt is zero-padded on the right to 112 bits.
    /// </summary>
    public static void Derive(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        if (masterSalt.Length > SaltFieldLength)
        {
            throw new ArgumentException("Master salt longer than 112 bits.", nameof(masterSalt));
        }

        Span<byte> iv = stackalloc byte[AesCounterMode.BlockSize];
        iv.Clear();
        masterSalt.CopyTo(iv);
        iv[LabelOffset] ^= label;

        output.Clear();
        using var cipher = new AesCounterMode(masterKey);
        cipher.Transform(iv, output);
        CryptographicOperations.ZeroMemory(iv);
    }
}
