using System.Net;

namespace Mcu.Rtc.Sdp;

/// <summary>What the client role (tests, load bots) puts in its offer.</summary>
public sealed class OfferOptions
{
    public required string IceUfrag { get; init; }

    public required string IcePassword { get; init; }

    public required SdpFingerprint Fingerprint { get; init; }

    public uint AudioSsrc { get; init; }

    public uint VideoSsrc { get; init; }

    public string Cname { get; init; } = "mcu-client";

    public string StreamId { get; init; } = "mcu-client";

    public CodecKind VideoCodec { get; init; } = CodecKind.Vp8;

    public SdpDirection Direction { get; init; } = SdpDirection.SendRecv;

    /// <summary>Offer an audio m-line (mid "0").</summary>
    public bool Audio { get; init; } = true;

    /// <summary>Offer a video m-line (mid "1").</summary>
    public bool Video { get; init; } = true;

    /// <summary>Offer Opus in RED (RFC 2198) beside plain Opus, as Chrome does.</summary>
    public bool Red { get; init; } = true;

    /// <summary>Host UDP candidates to include; empty for trickle or a client that only checks.</summary>
    public IReadOnlyList<IPEndPoint> Candidates { get; init; } = [];

    /// <summary>o= session id; 0 derives a stable one from the ICE ufrag.</summary>
    public ulong SessionId { get; init; }
}
