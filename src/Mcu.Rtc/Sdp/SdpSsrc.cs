using System.Diagnostics.CodeAnalysis;

namespace Mcu.Rtc.Sdp;

/// <summary>
/// <c>a=ssrc:&lt;ssrc&gt; &lt;attribute&gt;[:&lt;value&gt;]</c> (RFC 5576 §4.1),
/// e.g. (1581551613, "cname", "eRlS8/Y7oFdkIH/W").
/// </summary>
public sealed record SdpSsrc(uint Ssrc, string Attribute, string? Value)
{
    internal const string Grammar = "a=ssrc needs '<ssrc> <attribute>[:<value>]' with a 32-bit ssrc";

    internal static bool TryParse(string value, [NotNullWhen(true)] out SdpSsrc? ssrc)
    {
        ssrc = null;
        int space = value.IndexOf(' ');
        if (space <= 0 || !SdpNumbers.TryParseUInt(value[..space], out uint id))
        {
            return false;
        }

        string rest = value[(space + 1)..];
        int colon = rest.IndexOf(':');
        string name = colon < 0 ? rest : rest[..colon];
        if (name.Length == 0 || name.Contains(' '))
        {
            return false;
        }

        ssrc = new SdpSsrc(id, name, colon < 0 ? null : rest[(colon + 1)..]);
        return true;
    }

    public override string ToString() => Value is null ? $"{Ssrc} {Attribute}" : $"{Ssrc} {Attribute}:{Value}";
}
