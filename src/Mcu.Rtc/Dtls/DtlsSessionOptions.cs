using Mcu.Rtc.Srtp;

namespace Mcu.Rtc.Dtls;

/// <summary>Knobs that production leaves at their defaults; tests turn them.</summary>
internal sealed record DtlsSessionOptions
{
    internal static readonly DtlsSessionOptions Default = new();

    /// <summary>RFC 6347 §4.2.4.1: a flight not answered within a second goes out again.</summary>
    internal long InitialResendMs { get; init; } = 1_000;

    /// <summary>RFC 6347 §4.2.4.1: the doubling timer stops growing at 60 s.</summary>
    internal long MaxResendMs { get; init; } = 60_000;

    /// <summary>Give up on a handshake that has not completed this long after <see cref="DtlsSession.Start"/>.</summary>
    internal long HandshakeTimeoutMs { get; init; } = 30_000;

    /// <summary>
    /// A server resends its final flight at most this often (1 + 2 + 4 + 8 + 16 s) while the
    /// peer has not proven its keys (<see cref="DtlsSession.PeerProvedKeys"/>).
    /// </summary>
    internal int MaxFinalFlightResends { get; init; } = 5;

    /// <summary>
    /// Largest datagram sent. 1200 bytes fits a 1280-byte IPv6 minimum MTU with IP, UDP and TURN
    /// overhead, the budget browsers use; OpenSSL fragments handshake messages to fit.
    /// </summary>
    internal int Mtu { get; init; } = 1200;

    /// <summary>use_srtp profiles we offer (client) or accept (server), in preference order.</summary>
    internal SrtpProfile[] SrtpProfiles { get; init; } = [SrtpProfile.AeadAes128Gcm, SrtpProfile.Aes128CmHmacSha1_80];
}
