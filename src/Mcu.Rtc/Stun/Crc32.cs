namespace Mcu.Rtc.Stun;

/// <summary>
/// CRC-32 as in ISO/IEC 3309 / ITU-T V.42 / IEEE 802.3 (reflected polynomial 0xEDB88320,
/// initial value and final xor 0xFFFFFFFF), which is what STUN FINGERPRINT uses (RFC 8489 §14.7).
/// Table-driven, one byte per step: STUN messages are small, so this is not worth more.
/// </summary>
internal static class Crc32
{
    private const uint ReflectedPolynomial = 0xEDB88320;

    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint[] table = Table;
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return crc ^ 0xFFFFFFFF;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? ReflectedPolynomial ^ (c >> 1) : c >> 1;
            }
            table[n] = c;
        }
        return table;
    }
}
