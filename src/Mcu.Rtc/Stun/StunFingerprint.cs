namespace Mcu.Rtc.Stun;

/// <summary>
/// FINGERPRINT (RFC 8489 §14.7): CRC-32 of the message up to, not including, this attribute,
/// xor 0x5354554e; it is always the last attribute, so the header length already counts it.
/// <code>
///   0                   1                   2                   3
///   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |     Type = 0x8028             |          Length = 4           |
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |                  CRC-32 xor 0x5354554e                        |
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
internal static class StunFingerprint
{
    public const uint XorValue = 0x5354554e;
    public const int ValueLength = 4;

    public static uint Compute(ReadOnlySpan<byte> prefix) => Crc32.Compute(prefix) ^ XorValue;
}
