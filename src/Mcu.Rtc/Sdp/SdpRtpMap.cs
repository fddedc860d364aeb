using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Mcu.Rtc.Sdp;

/// <summary>
/// <c>a=rtpmap:&lt;payload type&gt; &lt;encoding name&gt;/&lt;clock rate&gt;[/&lt;channels&gt;]</c>
/// (RFC 8866 §6.6). The encoding name keeps the case it was sent in ("OPUS" exists in real
/// offers); compare it case-insensitively. <see cref="Channels"/> is null when absent.
/// </summary>
public sealed record SdpRtpMap(int PayloadType, string EncodingName, int ClockRate, int? Channels)
{
    internal const string Grammar = "a=rtpmap needs '<payload type> <encoding name>/<clock rate>[/<channels>]'";

    internal static bool TryParse(string value, [NotNullWhen(true)] out SdpRtpMap? rtpMap)
    {
        rtpMap = null;
        int space = value.IndexOf(' ');
        if (space <= 0 || !SdpNumbers.TryParsePayloadType(value[..space], out int pt))
        {
            return false;
        }

        string[] parts = value[(space + 1)..].Trim().Split('/');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || parts[0].Contains(' '))
        {
            return false;
        }

        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int clock) || clock <= 0)
        {
            return false;
        }

        int? channels = null;
        if (parts.Length == 3)
        {
            if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int c) || c <= 0)
            {
                return false;
            }

            channels = c;
        }

        rtpMap = new SdpRtpMap(pt, parts[0], clock, channels);
        return true;
    }

    public override string ToString() =>
        Channels is { } c ? $"{PayloadType} {EncodingName}/{ClockRate}/{c}" : $"{PayloadType} {EncodingName}/{ClockRate}";
}
