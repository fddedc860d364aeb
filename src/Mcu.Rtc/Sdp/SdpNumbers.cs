using System.Globalization;

namespace Mcu.Rtc.Sdp;

/// <summary>Strict decimal parsing shared by the attribute parsers: digits only, no sign or spaces.</summary>
internal static class SdpNumbers
{
    public static bool TryParseInt(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    public static bool TryParseUInt(string text, out uint value) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <summary>RTP payload types are 7 bits (RFC 3550 §5.1).</summary>
    public static bool TryParsePayloadType(string text, out int pt) =>
        TryParseInt(text, out pt) && pt <= 127;
}
