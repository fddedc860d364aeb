namespace Mcu.Rtc.Sdp;

/// <summary>
/// <c>a=fmtp:&lt;format&gt; &lt;format specific parameters&gt;</c> (RFC 8866 §6.15). RTP codecs
/// use ';'-separated key=value pairs (RFC 7587, RFC 6184); helpers here read those.
/// </summary>
public static class SdpFmtp
{
    /// <summary>Splits "111 minptime=10;useinbandfec=1" into 111 and "minptime=10;useinbandfec=1".</summary>
    public static bool TrySplit(string value, out int payloadType, out string parameters)
    {
        int space = value.IndexOf(' ');
        string pt = space < 0 ? value : value[..space];
        parameters = space < 0 ? "" : value[(space + 1)..].Trim();
        return SdpNumbers.TryParsePayloadType(pt, out payloadType);
    }

    /// <summary>
    /// "a=1;b=2;flag" as a case-insensitive map (keys lower-case per RFC 6184 §8.1 usage); a
    /// parameter without '=' maps to "".
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseParameters(string? parameters)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string item in (parameters ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = item.IndexOf('=');
            string key = eq < 0 ? item : item[..eq].Trim();
            result.TryAdd(key, eq < 0 ? "" : item[(eq + 1)..].Trim());
        }

        return result;
    }
}
