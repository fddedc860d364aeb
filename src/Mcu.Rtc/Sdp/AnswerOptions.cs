using System.Net;

namespace Mcu.Rtc.Sdp;

/// <summary>What the server puts in its answer: its transport, its outbound streams and what it wants.</summary>
public sealed class AnswerOptions
{
    public required string IceUfrag { get; init; }

    public required string IcePassword { get; init; }

    /// <summary>sha-256 fingerprint of our DTLS certificate (RFC 8122).</summary>
    public required SdpFingerprint Fingerprint { get; init; }

    /// <summary>Our host UDP endpoints, announced as host candidates in this order.</summary>
    public required IReadOnlyList<IPEndPoint> Candidates { get; init; }

    /// <summary>Our TCP listener's endpoints, announced after the UDP ones as passive host candidates (RFC 6544) with lower priority.</summary>
    public IReadOnlyList<IPEndPoint> TcpCandidates { get; init; } = [];

    public bool IceLite { get; init; } = true;

    /// <summary>Our DTLS role when the offer says actpass: Passive (DTLS server) or Active.</summary>
    public SdpSetup Setup { get; init; } = SdpSetup.Passive;

    /// <summary>SSRC of the mixed audio we send.</summary>
    public uint AudioSsrc { get; init; }

    /// <summary>SSRC of the composed video we send.</summary>
    public uint VideoSsrc { get; init; }

    /// <summary>RTCP CNAME of our outbound streams (a=ssrc cname).</summary>
    public string Cname { get; init; } = "mcu";

    /// <summary>MediaStream id of our outbound tracks (a=msid, RFC 8830).</summary>
    public string StreamId { get; init; } = "mcu";

    /// <summary>Video codecs we accept, best first; the offer's order breaks ties within one codec.</summary>
    public IReadOnlyList<CodecKind> VideoCodecPreference { get; init; } = [CodecKind.Vp8, CodecKind.H264];

    /// <summary>Accept Opus in RED (RFC 2198) when offered, listed first so the offerer sends it.</summary>
    public bool AcceptRed { get; init; } = true;

    /// <summary>False: we only receive (answer recvonly, or inactive if the offer only receives).</summary>
    public bool SendMedia { get; init; } = true;

    /// <summary>False for WHEP viewers: we only send.</summary>
    public bool ReceiveMedia { get; init; } = true;

    /// <summary>o= session id; 0 derives a stable one from the ICE ufrag.</summary>
    public ulong SessionId { get; init; }
}
