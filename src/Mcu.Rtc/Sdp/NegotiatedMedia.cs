namespace Mcu.Rtc.Sdp;

/// <summary>
/// What one accepted m-line agreed on: the single codec and payload type, the RTCP feedback and
/// header extensions both sides use (with the remote's ids), and the SSRCs on each side.
/// </summary>
public sealed class NegotiatedMedia
{
    public required string Mid { get; init; }

    /// <summary>"audio" or "video".</summary>
    public required string Kind { get; init; }

    public CodecKind Codec { get; init; }

    public int PayloadType { get; init; }

    public int ClockRate { get; init; }

    /// <summary>Audio channels from the rtpmap (1 when absent); 0 for video.</summary>
    public int Channels { get; init; }

    /// <summary>The remote side's a=fmtp parameters for <see cref="PayloadType"/> (e.g. sprop-parameter-sets).</summary>
    public string? Fmtp { get; init; }

    /// <summary>Audio: the payload type of Opus wrapped in RED (RFC 2198) that both sides accepted, or null.</summary>
    public int? RedPayloadType { get; init; }

    public bool Nack { get; init; }

    public bool NackPli { get; init; }

    public bool CcmFir { get; init; }

    public bool GoogRemb { get; init; }

    public bool TransportCc { get; init; }

    public int? AudioLevelExtId { get; init; }

    public int? AbsSendTimeExtId { get; init; }

    public int? TransportCcExtId { get; init; }

    public int? MidExtId { get; init; }

    /// <summary>The direction the remote side wrote for this m-line.</summary>
    public SdpDirection RemoteDirection { get; init; }

    /// <summary>Media SSRCs the remote announced (a=ssrc), without RTX/FEC repair SSRCs of ssrc-groups.</summary>
    public IReadOnlyList<uint> RemoteSsrcs { get; init; } = [];

    /// <summary>Our SSRC on this m-line.</summary>
    public uint LocalSsrc { get; init; }

    /// <summary>Reads what <paramref name="remote"/> says about the chosen codec; ids are the remote's.</summary>
    internal static NegotiatedMedia From(MediaDescription remote, SdpCodecMatch codec, uint localSsrc, bool withRed = true)
    {
        int pt = codec.RtpMap.PayloadType;
        List<SdpRtcpFb> feedback = [.. remote.RtcpFeedback.Where(f => f.AppliesTo(pt))];
        IReadOnlyList<SdpExtMap> extMaps = remote.ExtMaps;
        bool audio = remote.Kind == "audio";
        var repair = new HashSet<uint>(remote.SsrcGroups
            .Where(g => g.Semantics is "FID" or "FEC-FR")
            .SelectMany(g => g.Ssrcs.Skip(1)));

        return new NegotiatedMedia
        {
            Mid = remote.Mid ?? "",
            Kind = remote.Kind,
            Codec = codec.Kind,
            PayloadType = pt,
            ClockRate = codec.RtpMap.ClockRate,
            Channels = audio ? codec.RtpMap.Channels ?? 1 : 0,
            Fmtp = remote.Fmtp.TryGetValue(pt, out string? fmtp) ? fmtp : null,
            RedPayloadType = audio && withRed && codec.Kind == CodecKind.Opus ? SdpCodecs.FindRed(remote, pt) : null,
            Nack = feedback.Exists(f => f.Is("nack", null)),
            NackPli = feedback.Exists(f => f.Is("nack", "pli")),
            CcmFir = feedback.Exists(f => f.Is("ccm", "fir")),
            GoogRemb = feedback.Exists(f => f.Is("goog-remb", null)),
            TransportCc = feedback.Exists(f => f.Is("transport-cc", null)),
            AudioLevelExtId = audio ? IdOf(extMaps, SdpExtMap.AudioLevelUri) : null,
            AbsSendTimeExtId = IdOf(extMaps, SdpExtMap.AbsSendTimeUri),
            TransportCcExtId = IdOf(extMaps, SdpExtMap.TransportCcUri),
            MidExtId = IdOf(extMaps, SdpExtMap.MidUri),
            RemoteDirection = remote.Direction,
            RemoteSsrcs = [.. remote.Ssrcs.Select(s => s.Ssrc).Distinct().Where(s => !repair.Contains(s))],
            LocalSsrc = localSsrc,
        };
    }

    private static int? IdOf(IReadOnlyList<SdpExtMap> extMaps, string uri) =>
        extMaps.FirstOrDefault(e => e.Uri == uri)?.Id;
}
