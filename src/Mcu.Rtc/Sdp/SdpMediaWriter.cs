using System.Globalization;
using System.Net;

namespace Mcu.Rtc.Sdp;

/// <summary>Adds the attribute groups our offers and answers write to a media section.</summary>
internal static class SdpMediaWriter
{
    public static void AddTransport(MediaDescription m, string ufrag, string password, SdpFingerprint fingerprint, SdpSetup setup)
    {
        Add(m, "ice-ufrag", ufrag);
        Add(m, "ice-pwd", password);
        Add(m, "fingerprint", fingerprint.ToString());
        Add(m, "setup", setup.ToAttributeValue());
    }

    public static void AddExtMap(MediaDescription m, int? id, string uri)
    {
        if (id is { } value)
        {
            Add(m, "extmap", new SdpExtMap(value, null, uri, null).ToString());
        }
    }

    /// <summary>a=rtpmap, a=rtcp-fb for each flag set, a=fmtp when there are parameters.</summary>
    public static void AddCodec(MediaDescription m, SdpRtpMap map, NegotiatedMedia feedback, string? fmtp)
    {
        int pt = map.PayloadType;
        Add(m, "rtpmap", map.ToString());
        if (feedback.GoogRemb)
        {
            Add(m, "rtcp-fb", new SdpRtcpFb(pt, "goog-remb", null).ToString());
        }

        if (feedback.TransportCc)
        {
            Add(m, "rtcp-fb", new SdpRtcpFb(pt, "transport-cc", null).ToString());
        }

        if (feedback.CcmFir)
        {
            Add(m, "rtcp-fb", new SdpRtcpFb(pt, "ccm", "fir").ToString());
        }

        if (feedback.Nack)
        {
            Add(m, "rtcp-fb", new SdpRtcpFb(pt, "nack", null).ToString());
        }

        if (feedback.NackPli)
        {
            Add(m, "rtcp-fb", new SdpRtcpFb(pt, "nack", "pli").ToString());
        }

        if (fmtp is not null)
        {
            Add(m, "fmtp", $"{pt} {fmtp}");
        }
    }

    /// <summary>a=rtpmap and a=fmtp of Opus in RED (RFC 2198), two copies deep.</summary>
    public static void AddRed(MediaDescription m, int redPayloadType, int opusPayloadType)
    {
        Add(m, "rtpmap", new SdpRtpMap(redPayloadType, "red", 48000, 2).ToString());
        Add(m, "fmtp", $"{redPayloadType} {SdpCodecs.RedFmtp(opusPayloadType)}");
    }

    /// <summary>a=ssrc cname and msid (RFC 5576, RFC 8830) for a stream we send.</summary>
    public static void AddSsrc(MediaDescription m, uint ssrc, string cname, string streamId, string trackId)
    {
        Add(m, "ssrc", new SdpSsrc(ssrc, "cname", cname).ToString());
        Add(m, "ssrc", new SdpSsrc(ssrc, "msid", $"{streamId} {trackId}").ToString());
    }

    /// <summary>
    /// Host UDP candidates with descending local preference; the first gets priority 2130706431
    /// (type preference 126, local preference 65535, component 1: RFC 8445 §5.1.2.1). Then passive
    /// host TCP candidates (RFC 6544 §4.5), type preference 90 and local preference 2^13 × 4 (passive)
    /// + 8191 down: every one below every UDP one, so a client uses TCP only when UDP fails.
    /// Foundations differ between the two, as the protocols do (RFC 8445 §5.1.1.3).
    /// </summary>
    public static void AddHostCandidates(MediaDescription m, IReadOnlyList<IPEndPoint> endPoints, IReadOnlyList<IPEndPoint> tcpEndPoints)
    {
        for (int i = 0; i < endPoints.Count; i++)
        {
            uint priority = (126u << 24) | ((uint)(65535 - Math.Min(i, 65535)) << 8) | 255u;
            string foundation = (i + 1).ToString(CultureInfo.InvariantCulture);
            Add(m, "candidate", SdpCandidate.Host(foundation, priority, endPoints[i]).ToString());
        }

        for (int i = 0; i < tcpEndPoints.Count; i++)
        {
            uint priority = SdpCandidate.HostTcpPassivePriority - ((uint)Math.Min(i, 8191) << 8);
            string foundation = "tcp" + (i + 1).ToString(CultureInfo.InvariantCulture);
            Add(m, "candidate", SdpCandidate.HostTcpPassive(foundation, priority, tcpEndPoints[i]).ToString());
        }

        m.Attributes.Add(new SdpAttribute("end-of-candidates", null));
    }

    /// <summary>Port and c= address of the default candidate (RFC 8839 §4.2.1.2), or 9 and 0.0.0.0 without one.</summary>
    public static void SetDefaultAddress(MediaDescription m, IReadOnlyList<IPEndPoint> endPoints)
    {
        m.Port = endPoints.Count > 0 ? endPoints[0].Port : 9;
        m.ConnectionAddress = endPoints.Count > 0 ? endPoints[0].Address.ToString() : "0.0.0.0";
    }

    /// <summary>A stable o= session id when the caller gives none: FNV-1a of the ufrag, top bit clear.</summary>
    public static string SessionId(ulong given, string iceUfrag)
    {
        ulong id = given;
        if (id == 0)
        {
            id = 14695981039346656037UL;
            foreach (char c in iceUfrag)
            {
                id = (id ^ c) * 1099511628211UL;
            }
        }

        return (id & long.MaxValue).ToString(CultureInfo.InvariantCulture);
    }

    public static void Add(MediaDescription m, string name, string? value) => m.Attributes.Add(new SdpAttribute(name, value));
}
