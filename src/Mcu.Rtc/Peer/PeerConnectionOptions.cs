using System.Net;
using Mcu.Rtc.Dtls;
using Mcu.Rtc.Ice;

namespace Mcu.Rtc.Peer;

/// <summary>Which side of the connection we are.</summary>
public enum PeerRole
{
    /// <summary>The server: ICE-lite, always controlled; waits for the peer's checks.</summary>
    Server,

    /// <summary>Our own client (tests, load bots): full ICE, controlling, towards one known candidate.</summary>
    Client,
}

/// <summary>What both sides agreed in the offer/answer, and our own credentials.</summary>
public sealed class PeerConnectionOptions
{
    public required PeerRole Role { get; init; }
    public required IceCredentials LocalIce { get; init; }
    public required IceCredentials RemoteIce { get; init; }
    public required DtlsCertificate Certificate { get; init; }

    /// <summary>The peer's a=fingerprint sha-256 value ("AB:CD:...").</summary>
    public required string RemoteFingerprint { get; init; }

    /// <summary>Our DTLS role, from a=setup (passive answerer = DTLS server).</summary>
    public required DtlsRole DtlsRole { get; init; }

    /// <summary>ICE and DTLS must both complete within this long of the first timeout call, or the peer fails.</summary>
    public TimeSpan SetupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Client role only: the server's candidate to send checks to.</summary>
    public IPEndPoint? RemoteCandidate { get; init; }

    /// <summary>Client role only: <see cref="RemoteCandidate"/>'s protocol; TCP is an active connection to a passive candidate (RFC 6544).</summary>
    public TransportProtocol RemoteCandidateProtocol { get; init; } = TransportProtocol.Udp;
}
