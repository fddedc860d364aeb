namespace Mcu.Rtc.Sdp;

/// <summary>
/// The o= line (RFC 8866 §5.2):
/// <c>o=&lt;username&gt; &lt;sess-id&gt; &lt;sess-version&gt; &lt;nettype&gt; &lt;addrtype&gt; &lt;unicast-address&gt;</c>.
/// Session id and version stay strings: browsers send 64-bit values and some send more digits.
/// </summary>
public sealed record SdpOrigin(
    string Username, string SessionId, string SessionVersion, string NetType, string AddressType, string Address)
{
    internal static bool TryParse(string value, out SdpOrigin? origin)
    {
        origin = null;
        string[] parts = value.Split(' ');
        if (parts.Length != 6 || parts.Any(p => p.Length == 0))
        {
            return false;
        }

        if (!parts[1].All(char.IsAsciiDigit) || !parts[2].All(char.IsAsciiDigit))
        {
            return false;
        }

        origin = new SdpOrigin(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);
        return true;
    }

    public override string ToString() =>
        $"{Username} {SessionId} {SessionVersion} {NetType} {AddressType} {Address}";
}
