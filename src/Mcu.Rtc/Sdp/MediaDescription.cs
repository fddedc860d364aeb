using System.Net;

namespace Mcu.Rtc.Sdp;

/// <summary>
/// One media section (RFC 8866 §5.14): the m= line, its i=/c=/b=/k= fields and its a= lines.
/// The typed views read <see cref="Attributes"/> each time they are asked (SDP is signalling, not
/// per packet); where RFC 8839 / RFC 8122 / RFC 4145 allow an attribute at session level
/// (ice-ufrag, ice-pwd, fingerprint, setup, direction, extmap, c=) they fall back to
/// <see cref="Session"/>, which <see cref="SessionDescription.Parse"/> sets.
/// </summary>
public sealed class MediaDescription
{
    public string Kind { get; set; } = "audio";

    /// <summary>0 means rejected, or bundle-only in an offer (RFC 8843 §6).</summary>
    public int Port { get; set; }

    /// <summary>The optional "/&lt;number of ports&gt;" after the port; null when absent.</summary>
    public int? PortCount { get; set; }

    public string Protocol { get; set; } = "UDP/TLS/RTP/SAVPF";

    public List<string> Formats { get; set; } = [];

    /// <summary>i=, c=, b=, k= lines of this section in the order sent.</summary>
    public List<SdpField> Fields { get; set; } = [];

    public List<SdpAttribute> Attributes { get; set; } = [];

    /// <summary>The description this section belongs to, for session-level fallbacks; may be null.</summary>
    public SessionDescription? Session { get; set; }

    /// <summary>
    /// Address of this section's c= line, or of the session's; null if neither. Setting it
    /// replaces this section's c= line ("IN IP4 addr" or "IN IP6 addr").
    /// </summary>
    public string? ConnectionAddress
    {
        get => ConnectionAddressOf(Fields) ?? (Session is null ? null : ConnectionAddressOf(Session.Fields));
        set
        {
            Fields.RemoveAll(f => f.Type == 'c');
            if (value is not null)
            {
                string family = IPAddress.TryParse(value, out IPAddress? ip)
                    && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
                int at = Fields.FindLastIndex(f => f.Type == 'i') + 1;
                Fields.Insert(at, new SdpField('c', $"IN {family} {value}"));
            }
        }
    }

    public string? Mid => GetAttribute("mid");

    /// <summary>The media-level direction, else the session-level one, else sendrecv (RFC 8866 §6.7).</summary>
    public SdpDirection Direction => DirectionOf(Attributes) ?? (Session is null ? null : DirectionOf(Session.Attributes)) ?? SdpDirection.SendRecv;

    public bool RtcpMux => HasAttribute("rtcp-mux");

    public bool RtcpMuxOnly => HasAttribute("rtcp-mux-only");

    public bool RtcpReducedSize => HasAttribute("rtcp-rsize");

    public bool BundleOnly => HasAttribute("bundle-only");

    public bool EndOfCandidates => HasAttribute("end-of-candidates") || (Session?.Attributes.Any(a => a.Name == "end-of-candidates") ?? false);

    public string? IceUfrag => GetAttribute("ice-ufrag") ?? Session?.GetAttribute("ice-ufrag");

    public string? IcePassword => GetAttribute("ice-pwd") ?? Session?.GetAttribute("ice-pwd");

    /// <summary>The first a=fingerprint of this section, else of the session.</summary>
    public SdpFingerprint? Fingerprint => FingerprintOf(GetAttribute("fingerprint") ?? Session?.GetAttribute("fingerprint"));

    public SdpSetup? Setup =>
        (GetAttribute("setup") ?? Session?.GetAttribute("setup")) is { } s ? SdpSetupText.FromAttributeValue(s) : null;

    public IReadOnlyList<SdpRtpMap> RtpMaps => ParseAll<SdpRtpMap>("rtpmap", SdpRtpMap.TryParse);

    /// <summary>a=fmtp parameters by payload type; the first line wins if a type is repeated.</summary>
    public IReadOnlyDictionary<int, string> Fmtp
    {
        get
        {
            var result = new Dictionary<int, string>();
            foreach (string value in GetAttributeValues("fmtp"))
            {
                if (SdpFmtp.TrySplit(value, out int pt, out string parameters))
                {
                    result.TryAdd(pt, parameters);
                }
            }

            return result;
        }
    }

    public IReadOnlyList<SdpRtcpFb> RtcpFeedback => ParseAll<SdpRtcpFb>("rtcp-fb", SdpRtcpFb.TryParse);

    /// <summary>This section's a=extmap lines, then any session-level ones (RFC 8285 §8).</summary>
    public IReadOnlyList<SdpExtMap> ExtMaps
    {
        get
        {
            var result = new List<SdpExtMap>(ParseAll<SdpExtMap>("extmap", SdpExtMap.TryParse));
            foreach (string value in Session?.GetAttributeValues("extmap") ?? [])
            {
                if (SdpExtMap.TryParse(value, out SdpExtMap? e) && !result.Any(r => r.Id == e.Id))
                {
                    result.Add(e);
                }
            }

            return result;
        }
    }

    public IReadOnlyList<SdpSsrc> Ssrcs => ParseAll<SdpSsrc>("ssrc", SdpSsrc.TryParse);

    /// <summary>a=ssrc-group lines as (semantics, ssrcs), e.g. ("FID", [231047268, 944309846]).</summary>
    public IReadOnlyList<(string Semantics, IReadOnlyList<uint> Ssrcs)> SsrcGroups
    {
        get
        {
            var result = new List<(string, IReadOnlyList<uint>)>();
            foreach (string value in GetAttributeValues("ssrc-group"))
            {
                string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var ssrcs = new List<uint>();
                foreach (string p in parts.Skip(1))
                {
                    if (SdpNumbers.TryParseUInt(p, out uint s))
                    {
                        ssrcs.Add(s);
                    }
                }

                if (parts.Length > 0)
                {
                    result.Add((parts[0], ssrcs));
                }
            }

            return result;
        }
    }

    /// <summary>Candidates of this section (ICE candidates of a BUNDLE group sit on its first section).</summary>
    public IReadOnlyList<SdpCandidate> Candidates => ParseAll<SdpCandidate>("candidate", SdpCandidate.TryParse);

    /// <summary>Stream id of a=msid (RFC 8830), else of an a=ssrc msid; null if none.</summary>
    public string? MsidStream => MsidParts()?[0];

    /// <summary>Track id of a=msid (RFC 8830), else of an a=ssrc msid; null if none.</summary>
    public string? MsidTrack => MsidParts() is { Length: > 1 } p ? p[1] : null;

    public string? GetAttribute(string name) => Attributes.Find(a => a.Name == name)?.Value;

    public bool HasAttribute(string name) => Attributes.Exists(a => a.Name == name);

    public IEnumerable<string> GetAttributeValues(string name) =>
        Attributes.Where(a => a.Name == name && a.Value is not null).Select(a => a.Value!);

    internal static string? ConnectionAddressOf(List<SdpField> fields) =>
        fields.Find(f => f.Type == 'c')?.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: 3 } c ? c[2] : null;

    internal static SdpDirection? DirectionOf(List<SdpAttribute> attributes)
    {
        foreach (SdpAttribute a in attributes)
        {
            if (a.Value is null && SdpDirectionText.FromAttributeName(a.Name) is { } d)
            {
                return d;
            }
        }

        return null;
    }

    internal static SdpFingerprint? FingerprintOf(string? value) =>
        value is not null && SdpFingerprint.TryParse(value, out SdpFingerprint? f) ? f : null;

    private string[]? MsidParts()
    {
        string? msid = GetAttribute("msid")
            ?? Ssrcs.FirstOrDefault(s => s.Attribute == "msid")?.Value;
        return msid?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } parts ? parts : null;
    }

    private delegate bool TryParser<T>(string value, out T? result);

    private List<T> ParseAll<T>(string name, TryParser<T> parse)
    {
        var result = new List<T>();
        foreach (string value in GetAttributeValues(name))
        {
            if (parse(value, out T? item) && item is not null)
            {
                result.Add(item);
            }
        }

        return result;
    }
}
