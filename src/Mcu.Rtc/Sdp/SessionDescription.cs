using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Mcu.Rtc.Sdp;

/// <summary>
/// A session description (RFC 8866): v=, o=, s=, the other session fields, session-level
/// attributes and the media sections. <see cref="ToString"/> writes CRLF lines in RFC order;
/// lines we do not interpret (unknown attributes, b=, i=, ...) are kept and written back.
/// </summary>
public sealed class SessionDescription
{
    public int Version { get; set; }

    public SdpOrigin Origin { get; set; } = new("-", "0", "0", "IN", "IP4", "127.0.0.1");

    public string SessionName { get; set; } = "-";

    /// <summary>i=, u=, e=, p=, c=, b=, t=, r=, z=, k= lines in the order sent.</summary>
    public List<SdpField> Fields { get; set; } = [];

    public List<SdpAttribute> Attributes { get; set; } = [];

    public List<MediaDescription> Media { get; set; } = [];

    /// <summary>Mids of the first a=group:BUNDLE (RFC 8843 §7.1); empty if none.</summary>
    public IReadOnlyList<string> BundleGroup =>
        GetAttributeValues("group")
            .Select(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(p => p.Length > 0 && p[0] == "BUNDLE")?[1..] ?? [];

    /// <summary>a=ice-lite (RFC 8839 §5.3) is session-level only.</summary>
    public bool IceLite => HasAttribute("ice-lite");

    public string? GetAttribute(string name) => Attributes.Find(a => a.Name == name)?.Value;

    public bool HasAttribute(string name) => Attributes.Exists(a => a.Name == name);

    public IEnumerable<string> GetAttributeValues(string name) =>
        Attributes.Where(a => a.Name == name && a.Value is not null).Select(a => a.Value!);

    /// <summary>The media section with the given a=mid, or null.</summary>
    public MediaDescription? FindByMid(string mid) => Media.Find(m => m.Mid == mid);

    /// <summary>Parses a description; lines may end in CRLF or LF.</summary>
    /// <exception cref="SdpParseException">The text is not valid SDP; the message names the line.</exception>
    public static SessionDescription Parse(string sdp) => SdpTextReader.Read(sdp);

    public static bool TryParse(string sdp, [NotNullWhen(true)] out SessionDescription? description, [NotNullWhen(false)] out string? error)
    {
        try
        {
            description = Parse(sdp);
            error = null;
            return true;
        }
        catch (SdpParseException e)
        {
            description = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>The description as SDP text with CRLF line ends (RFC 8866 §5).</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        AppendLine(text, 'v', Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AppendLine(text, 'o', Origin.ToString());
        AppendLine(text, 's', SessionName);
        foreach (SdpField field in Fields)
        {
            AppendLine(text, field.Type, field.Value);
        }

        foreach (SdpAttribute attribute in Attributes)
        {
            AppendLine(text, 'a', attribute.ToString());
        }

        foreach (MediaDescription media in Media)
        {
            string port = media.PortCount is { } count ? $"{media.Port}/{count}" : $"{media.Port}";
            AppendLine(text, 'm', $"{media.Kind} {port} {media.Protocol} {string.Join(' ', media.Formats)}");
            foreach (SdpField field in media.Fields)
            {
                AppendLine(text, field.Type, field.Value);
            }

            foreach (SdpAttribute attribute in media.Attributes)
            {
                AppendLine(text, 'a', attribute.ToString());
            }
        }

        return text.ToString();
    }

    private static void AppendLine(StringBuilder text, char type, string value) =>
        text.Append(type).Append('=').Append(value).Append("\r\n");
}
