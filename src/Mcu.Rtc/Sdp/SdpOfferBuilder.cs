namespace Mcu.Rtc.Sdp;

/// <summary>
/// The client role's JSEP offer (RFC 8829 §5.2): audio (mid "0") and video (mid "1") bundled
/// with max-bundle, one codec each, a=setup:actpass, rtcp-mux, and the feedback and header
/// extensions the server implements. Used by tests and load bots against our own server.
/// </summary>
public static class SdpOfferBuilder
{
    public const int OpusPayloadType = 111;
    public const int Vp8PayloadType = 96;
    public const int H264PayloadType = 102;
    public const int RedPayloadType = 63;

    public static string Create(OfferOptions options) => CreateDescription(options).ToString();

    public static SessionDescription CreateDescription(OfferOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var offer = new SessionDescription
        {
            Origin = new SdpOrigin("-", SdpMediaWriter.SessionId(options.SessionId, options.IceUfrag), "2", "IN", "IP4", "127.0.0.1"),
            Fields = [new SdpField('t', "0 0")],
        };

        var mids = new List<string>();
        if (options.Audio)
        {
            var opus = new SdpCodecMatch(CodecKind.Opus, new SdpRtpMap(OpusPayloadType, "opus", 48000, 2));
            offer.Media.Add(Section("audio", "0", opus, options.AudioSsrc, options, withCandidates: mids.Count == 0));
            mids.Add("0");
        }

        if (options.Video)
        {
            var video = options.VideoCodec switch
            {
                CodecKind.Vp8 => new SdpCodecMatch(CodecKind.Vp8, new SdpRtpMap(Vp8PayloadType, "VP8", 90000, null)),
                CodecKind.H264 => new SdpCodecMatch(CodecKind.H264, new SdpRtpMap(H264PayloadType, "H264", 90000, null)),
                _ => throw new ArgumentException($"video codec {options.VideoCodec} is not a video codec", nameof(options)),
            };
            offer.Media.Add(Section("video", "1", video, options.VideoSsrc, options, withCandidates: mids.Count == 0));
            mids.Add("1");
        }

        if (mids.Count == 0)
        {
            throw new ArgumentException("an offer needs audio or video", nameof(options));
        }

        offer.Attributes.Add(new SdpAttribute("group", "BUNDLE " + string.Join(' ', mids)));
        foreach (MediaDescription m in offer.Media)
        {
            m.Session = offer;
        }

        return offer;
    }

    private static MediaDescription Section(
        string kind, string mid, SdpCodecMatch codec, uint ssrc, OfferOptions options, bool withCandidates)
    {
        bool audio = kind == "audio";
        string format = codec.RtpMap.PayloadType.ToString(System.Globalization.CultureInfo.InvariantCulture);
        bool red = audio && options.Red;
        // Chrome's order: Opus, then RED, which the answer may put first.
        var m = new MediaDescription { Kind = kind, Formats = red ? [format, RedPayloadType.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [format] };
        SdpMediaWriter.SetDefaultAddress(m, withCandidates ? options.Candidates : []);
        SdpMediaWriter.AddTransport(m, options.IceUfrag, options.IcePassword, options.Fingerprint, SdpSetup.ActPass);
        SdpMediaWriter.Add(m, "mid", mid);
        // Same ids as Chromium uses, so server tests see familiar numbers.
        if (audio)
        {
            SdpMediaWriter.AddExtMap(m, 1, SdpExtMap.AudioLevelUri);
        }

        SdpMediaWriter.AddExtMap(m, 2, SdpExtMap.AbsSendTimeUri);
        SdpMediaWriter.AddExtMap(m, 3, SdpExtMap.TransportCcUri);
        SdpMediaWriter.AddExtMap(m, 4, SdpExtMap.MidUri);
        SdpMediaWriter.Add(m, options.Direction.ToAttributeName(), null);
        string trackId = $"{options.StreamId}-{kind}";
        if (options.Direction.Sends())
        {
            SdpMediaWriter.Add(m, "msid", $"{options.StreamId} {trackId}");
        }

        SdpMediaWriter.Add(m, "rtcp-mux", null);
        SdpMediaWriter.Add(m, "rtcp-rsize", null);
        var feedback = new NegotiatedMedia
        {
            Mid = mid,
            Kind = kind,
            TransportCc = true,
            GoogRemb = !audio,
            CcmFir = !audio,
            Nack = !audio,
            NackPli = !audio,
        };
        SdpMediaWriter.AddCodec(m, codec.RtpMap, feedback, SdpCodecs.LocalFmtp(codec.Kind, null));
        if (red)
        {
            SdpMediaWriter.AddRed(m, RedPayloadType, codec.RtpMap.PayloadType);
        }
        if (options.Direction.Sends())
        {
            SdpMediaWriter.AddSsrc(m, ssrc, options.Cname, options.StreamId, trackId);
        }

        if (withCandidates && options.Candidates.Count > 0)
        {
            SdpMediaWriter.AddHostCandidates(m, options.Candidates, []);
        }

        return m;
    }
}
