using System.Diagnostics.CodeAnalysis;

namespace Mcu.Rtc.Sdp;

/// <summary>
/// <c>a=rtcp-fb:&lt;payload type | *&gt; &lt;type&gt; [&lt;parameter&gt;]</c> (RFC 4585 §4.2),
/// e.g. "nack", "nack pli", "ccm fir", "goog-remb", "transport-cc".
/// <see cref="PayloadType"/> is null for the wildcard '*'.
/// </summary>
public sealed record SdpRtcpFb(int? PayloadType, string Type, string? Parameter)
{
    internal const string Grammar = "a=rtcp-fb needs '<payload type|*> <feedback type> [<parameter>]'";

    /// <summary>True when this feedback line applies to <paramref name="payloadType"/>.</summary>
    public bool AppliesTo(int payloadType) => PayloadType is null || PayloadType == payloadType;

    /// <summary>True for e.g. <c>Is("nack", "pli")</c>, or <c>Is("nack", null)</c> for plain NACK.</summary>
    public bool Is(string type, string? parameter) =>
        string.Equals(Type, type, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Parameter, parameter, StringComparison.OrdinalIgnoreCase);

    internal static bool TryParse(string value, [NotNullWhen(true)] out SdpRtcpFb? feedback)
    {
        feedback = null;
        string[] parts = value.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            return false;
        }

        int? pt = null;
        if (parts[0] != "*")
        {
            if (!SdpNumbers.TryParsePayloadType(parts[0], out int p))
            {
                return false;
            }

            pt = p;
        }

        feedback = new SdpRtcpFb(pt, parts[1], parts.Length == 3 ? parts[2] : null);
        return true;
    }

    public override string ToString()
    {
        string pt = PayloadType?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "*";
        return Parameter is null ? $"{pt} {Type}" : $"{pt} {Type} {Parameter}";
    }
}
