using System.Diagnostics.CodeAnalysis;

namespace Mcu.Rtc.Sdp;

/// <summary>
/// <c>a=extmap:&lt;id&gt;[/&lt;direction&gt;] &lt;uri&gt; [&lt;attributes&gt;]</c> (RFC 8285 §8):
/// an RTP header extension and the id it uses on this m-line.
/// </summary>
public sealed record SdpExtMap(int Id, SdpDirection? Direction, string Uri, string? ExtensionAttributes)
{
    internal const string Grammar = "a=extmap needs '<id>[/<direction>] <uri> [<attributes>]' with id 1-255";

    public const string AudioLevelUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    public const string AbsSendTimeUri = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    public const string TransportCcUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    public const string MidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";

    internal static bool TryParse(string value, [NotNullWhen(true)] out SdpExtMap? extMap)
    {
        extMap = null;
        string[] parts = value.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            return false;
        }

        string idText = parts[0];
        SdpDirection? direction = null;
        int slash = idText.IndexOf('/');
        if (slash >= 0)
        {
            direction = SdpDirectionText.FromAttributeName(idText[(slash + 1)..]);
            if (direction is null)
            {
                return false;
            }

            idText = idText[..slash];
        }

        // One-byte ids are 1-14, two-byte ids 1-255 (RFC 8285 §5); 4096-4351 are for negotiation only.
        if (!SdpNumbers.TryParseInt(idText, out int id) || id is < 1 or > 255)
        {
            return false;
        }

        extMap = new SdpExtMap(id, direction, parts[1], parts.Length == 3 ? parts[2] : null);
        return true;
    }

    public override string ToString()
    {
        string id = Direction is { } d ? $"{Id}/{d.ToAttributeName()}" : $"{Id}";
        return ExtensionAttributes is null ? $"{id} {Uri}" : $"{id} {Uri} {ExtensionAttributes}";
    }
}
