namespace Mcu.Rtc.Sdp;

/// <summary>
/// The outcome of an offer/answer exchange as one side sees it: the answer text's model, the
/// accepted media, and the remote transport parameters the ICE and DTLS layers need.
/// </summary>
public sealed class SdpAnswer
{
    /// <summary>The answer (ours on the server, the received one in the client role).</summary>
    public required SessionDescription Description { get; init; }

    /// <summary>Accepted m-lines in m-line order.</summary>
    public required IReadOnlyList<NegotiatedMedia> Media { get; init; }

    public required string RemoteIceUfrag { get; init; }

    public required string RemoteIcePassword { get; init; }

    public required SdpFingerprint RemoteFingerprint { get; init; }

    public required SdpSetup RemoteSetup { get; init; }

    /// <summary>Our DTLS role: Passive means we are the DTLS server, Active the DTLS client.</summary>
    public required SdpSetup LocalSetup { get; init; }

    /// <summary>The remote's candidates from the first bundled m-line (all transports, as sent).</summary>
    public IReadOnlyList<SdpCandidate> RemoteCandidates { get; init; } = [];

    public NegotiatedMedia? Audio => Media.FirstOrDefault(m => m.Kind == "audio");

    public NegotiatedMedia? Video => Media.FirstOrDefault(m => m.Kind == "video");

    public override string ToString() => Description.ToString();
}
