namespace Mcu.Rtc.Sdp;

/// <summary>
/// The server's JSEP answer (RFC 8829 §5.3) to a WHIP/WHEP offer, max-bundle on one ICE-lite
/// transport: at most one audio and one video m-line accepted, each with exactly one codec we
/// can mix (the offerer's payload type), only the RTCP feedback and header extensions we
/// implement, no RTX/FEC. Audio also accepts Opus in RED (RFC 2198) when offered, listed first:
/// an offerer sends the first codec of the answer, and RED's copies of earlier packets repair loss. Every offered m-line is answered in order; the ones we reject
/// (data channels, extra audio/video, unsupported codecs) get port 0 and stay listed.
/// </summary>
public static class SdpAnswerBuilder
{
    /// <exception cref="SdpNegotiationException">Nothing we can mix, or the offer lacks ICE/DTLS parameters.</exception>
    public static SdpAnswer Create(SessionDescription offer, AnswerOptions options)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Setup is not (SdpSetup.Passive or SdpSetup.Active))
        {
            throw new ArgumentException("our DTLS role must be Passive or Active", nameof(options));
        }

        var chosen = new SdpCodecMatch?[offer.Media.Count];
        IReadOnlyList<string> bundle = offer.BundleGroup;
        bool haveAudio = false, haveVideo = false;
        int candidates = 0;
        for (int i = 0; i < offer.Media.Count; i++)
        {
            MediaDescription m = offer.Media[i];
            bool audio = m.Kind == "audio";
            if (!IsCandidate(m, bundle) || (audio ? haveAudio : haveVideo))
            {
                continue;
            }

            candidates++;
            chosen[i] = SdpCodecs.Choose(m, audio ? [CodecKind.Opus] : options.VideoCodecPreference);
            haveAudio |= audio && chosen[i] is not null;
            haveVideo |= !audio && chosen[i] is not null;
        }

        if (!haveAudio && !haveVideo)
        {
            throw new SdpNegotiationException(NothingToMix(offer));
        }

        // Without a BUNDLE group each m-line would need its own ICE transport; we run exactly one.
        if (bundle.Count == 0 && candidates > 1)
        {
            throw new SdpNegotiationException(
                $"offer has {candidates} media sections but no a=group:BUNDLE; this server needs max-bundle (RFC 8843)");
        }

        int first = Array.FindIndex(chosen, c => c is not null);
        MediaDescription tag = offer.Media[first];
        string ufrag = tag.IceUfrag ?? throw Missing("a=ice-ufrag", tag);
        string password = tag.IcePassword ?? throw Missing("a=ice-pwd", tag);
        SdpFingerprint fingerprint = tag.Fingerprint ?? throw Missing("a=fingerprint", tag);
        // RFC 4145 §4.1: an absent a=setup means active.
        SdpSetup remoteSetup = tag.Setup ?? SdpSetup.Active;
        SdpSetup localSetup = remoteSetup switch
        {
            SdpSetup.ActPass => options.Setup,
            SdpSetup.Active => SdpSetup.Passive,
            SdpSetup.Passive => SdpSetup.Active,
            _ => throw new SdpNegotiationException("offer says a=setup:holdconn; there is no DTLS connection to set up"),
        };

        var answer = new SessionDescription
        {
            Origin = new SdpOrigin("-", SdpMediaWriter.SessionId(options.SessionId, options.IceUfrag), "2", "IN", "IP4", "127.0.0.1"),
            Fields = [new SdpField('t', "0 0")],
        };
        if (options.IceLite)
        {
            answer.Attributes.Add(new SdpAttribute("ice-lite", null));
        }

        var accepted = new List<NegotiatedMedia>();
        var mids = new List<string>();
        for (int i = 0; i < offer.Media.Count; i++)
        {
            MediaDescription remote = offer.Media[i];
            if (chosen[i] is not { } codec)
            {
                answer.Media.Add(Rejected(remote));
                continue;
            }

            bool audio = remote.Kind == "audio";
            NegotiatedMedia negotiated = NegotiatedMedia.From(remote, codec, audio ? options.AudioSsrc : options.VideoSsrc, options.AcceptRed);
            answer.Media.Add(Accepted(remote, codec, negotiated, options, localSetup, withCandidates: i == first));
            accepted.Add(negotiated);
            if (remote.Mid is { } mid)
            {
                mids.Add(mid);
            }
        }

        if (bundle.Count > 0)
        {
            answer.Attributes.Add(new SdpAttribute("group", "BUNDLE " + string.Join(' ', mids)));
        }

        foreach (MediaDescription m in answer.Media)
        {
            m.Session = answer;
        }

        return new SdpAnswer
        {
            Description = answer,
            Media = accepted,
            RemoteIceUfrag = ufrag,
            RemoteIcePassword = password,
            RemoteFingerprint = fingerprint,
            RemoteSetup = remoteSetup,
            LocalSetup = localSetup,
            RemoteCandidates = tag.Candidates,
        };
    }

    /// <summary>RTP audio/video over DTLS-SRTP that the offerer enabled and that can share our one transport.</summary>
    private static bool IsCandidate(MediaDescription m, IReadOnlyList<string> bundle) =>
        m.Kind is "audio" or "video"
        && m.Protocol.Contains("RTP/SAVP", StringComparison.OrdinalIgnoreCase)
        && m.Protocol.Contains("TLS", StringComparison.OrdinalIgnoreCase)
        && (m.Port != 0 || m.BundleOnly)
        && (bundle.Count == 0 || (m.Mid is { } mid && bundle.Contains(mid)));

    private static MediaDescription Accepted(
        MediaDescription remote, SdpCodecMatch codec, NegotiatedMedia negotiated, AnswerOptions options, SdpSetup setup, bool withCandidates)
    {
        SdpDirection direction = SdpDirectionText.From(
            send: remote.Direction.Receives() && options.SendMedia,
            receive: remote.Direction.Sends() && options.ReceiveMedia);
        string format = codec.RtpMap.PayloadType.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var m = new MediaDescription
        {
            Kind = remote.Kind,
            Protocol = remote.Protocol,
            Formats = negotiated.RedPayloadType is { } red ? [red.ToString(System.Globalization.CultureInfo.InvariantCulture), format] : [format],
        };
        SdpMediaWriter.SetDefaultAddress(m, options.Candidates);
        SdpMediaWriter.AddTransport(m, options.IceUfrag, options.IcePassword, options.Fingerprint, setup);
        if (remote.Mid is { } mid)
        {
            SdpMediaWriter.Add(m, "mid", mid);
        }

        SdpMediaWriter.AddExtMap(m, negotiated.AudioLevelExtId, SdpExtMap.AudioLevelUri);
        SdpMediaWriter.AddExtMap(m, negotiated.AbsSendTimeExtId, SdpExtMap.AbsSendTimeUri);
        SdpMediaWriter.AddExtMap(m, negotiated.TransportCcExtId, SdpExtMap.TransportCcUri);
        SdpMediaWriter.AddExtMap(m, negotiated.MidExtId, SdpExtMap.MidUri);
        SdpMediaWriter.Add(m, direction.ToAttributeName(), null);
        string trackId = $"{options.StreamId}-{remote.Kind}";
        if (direction.Sends())
        {
            SdpMediaWriter.Add(m, "msid", $"{options.StreamId} {trackId}");
        }

        // rtcp-mux is mandatory for us (one socket, RFC 8843); echo it, and rtcp-rsize if offered.
        SdpMediaWriter.Add(m, "rtcp-mux", null);
        if (remote.RtcpReducedSize)
        {
            SdpMediaWriter.Add(m, "rtcp-rsize", null);
        }

        SdpMediaWriter.AddCodec(m, codec.RtpMap, negotiated, SdpCodecs.LocalFmtp(codec.Kind, negotiated.Fmtp));
        if (negotiated.RedPayloadType is { } redType)
        {
            SdpMediaWriter.AddRed(m, redType, codec.RtpMap.PayloadType);
        }

        if (direction.Sends())
        {
            SdpMediaWriter.AddSsrc(m, negotiated.LocalSsrc, options.Cname, options.StreamId, trackId);
        }

        if (withCandidates)
        {
            SdpMediaWriter.AddHostCandidates(m, options.Candidates, options.TcpCandidates);
        }

        return m;
    }

    /// <summary>A rejected m-line: port 0, the offered formats, and its mid so the offerer can match it (RFC 8829 §5.3.1).</summary>
    private static MediaDescription Rejected(MediaDescription remote)
    {
        var m = new MediaDescription { Kind = remote.Kind, Port = 0, Protocol = remote.Protocol, Formats = [.. remote.Formats] };
        m.ConnectionAddress = "0.0.0.0";
        if (remote.Mid is { } mid)
        {
            SdpMediaWriter.Add(m, "mid", mid);
        }

        return m;
    }

    private static SdpNegotiationException Missing(string what, MediaDescription m) =>
        new($"offer has no {what} for m-line '{m.Kind}' (mid {m.Mid ?? "none"}) nor at session level");

    private static string NothingToMix(SessionDescription offer)
    {
        var parts = offer.Media
            .Where(m => m.Kind is "audio" or "video")
            .Select(m => $"{m.Kind} [{string.Join(", ", SdpCodecs.OfferedNames(m))}]"
                + (m.Protocol.Contains("RTP/SAVP", StringComparison.OrdinalIgnoreCase) ? "" : $" over {m.Protocol}")
                + (m.Port == 0 && !m.BundleOnly ? " (disabled, port 0)" : ""))
            .ToList();
        return parts.Count == 0
            ? "no audio or video codec we can mix: offer has no audio or video m-line"
            : $"no audio or video codec we can mix: offer has {string.Join(", ", parts)}";
    }
}
