namespace Mcu.Rtc.Stun;

/// <summary>STUN methods we speak (RFC 8489 §18.2). Only Binding is used by ICE.</summary>
public enum StunMethod : ushort
{
    Binding = 0x001,
}

/// <summary>STUN message classes; the values are the C1C0 bits of the message type.</summary>
public enum StunClass
{
    Request = 0b00,
    Indication = 0b01,
    SuccessResponse = 0b10,
    ErrorResponse = 0b11,
}

/// <summary>
/// The 14-bit STUN message type interleaves the 12-bit method with the 2-bit class
/// (RFC 8489 §5, Figure 3):
/// <code>
///   0                 1
///   2  3  4 5 6 7 8 9 0 1 2 3 4 5
///  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
///  |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
///  |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
///  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
internal static class StunMessageType
{
    public static ushort Encode(StunMethod method, StunClass cls)
    {
        int m = (int)method;
        int c = (int)cls;
        return (ushort)((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 0b01) << 4) | ((c & 0b10) << 7));
    }

    public static StunMethod DecodeMethod(ushort type) =>
        (StunMethod)((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));

    public static StunClass DecodeClass(ushort type) =>
        (StunClass)(((type >> 4) & 0b01) | ((type >> 7) & 0b10));
}
