namespace Mcu.Rtc.Sdp;

/// <summary>
/// The client role's side of the exchange: reads the answer to an offer made with
/// <see cref="SdpOfferBuilder"/> into the same <see cref="SdpAnswer"/> shape the server gets.
/// </summary>
public static class SdpOfferReader
{
    /// <exception cref="SdpNegotiationException">The answer accepts nothing we can use, or lacks ICE/DTLS parameters.</exception>
    public static SdpAnswer ReadAnswer(SessionDescription answer, OfferOptions offer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(offer);
        IReadOnlyList<string> bundle = answer.BundleGroup;
        var accepted = new List<NegotiatedMedia>();
        MediaDescription? tag = null;
        foreach (MediaDescription m in answer.Media)
        {
            // In an answer port 0 means rejected (RFC 3264 §6); bundle-only is an offer-only thing.
            if (m.Port == 0 || m.Kind is not ("audio" or "video"))
            {
                continue;
            }

            SdpCodecMatch? codec = SdpCodecs.Choose(m, m.Kind == "audio" ? [CodecKind.Opus] : [offer.VideoCodec]);
            if (codec is null)
            {
                throw new SdpNegotiationException(
                    $"answer accepts {m.Kind} (mid {m.Mid ?? "none"}) with [{string.Join(", ", m.RtpMaps.Select(r => r.EncodingName))}], not the {(m.Kind == "audio" ? "opus" : offer.VideoCodec.ToString())} we offered");
            }

            tag ??= bundle.Count > 0 && m.Mid is { } mid && !bundle.Contains(mid) ? null : m;
            accepted.Add(NegotiatedMedia.From(m, codec, m.Kind == "audio" ? offer.AudioSsrc : offer.VideoSsrc));
        }

        if (tag is null)
        {
            throw new SdpNegotiationException("answer accepts no audio or video m-line");
        }

        SdpSetup remoteSetup = tag.Setup ?? SdpSetup.Active;
        SdpSetup localSetup = remoteSetup switch
        {
            SdpSetup.Active => SdpSetup.Passive,
            SdpSetup.Passive => SdpSetup.Active,
            _ => throw new SdpNegotiationException($"answer says a=setup:{remoteSetup.ToAttributeValue()}; an answer must say active or passive (RFC 5763 §5)"),
        };

        return new SdpAnswer
        {
            Description = answer,
            Media = accepted,
            RemoteIceUfrag = tag.IceUfrag ?? throw new SdpNegotiationException("answer has no a=ice-ufrag"),
            RemoteIcePassword = tag.IcePassword ?? throw new SdpNegotiationException("answer has no a=ice-pwd"),
            RemoteFingerprint = tag.Fingerprint ?? throw new SdpNegotiationException("answer has no a=fingerprint"),
            RemoteSetup = remoteSetup,
            LocalSetup = localSetup,
            RemoteCandidates = tag.Candidates,
        };
    }
}
