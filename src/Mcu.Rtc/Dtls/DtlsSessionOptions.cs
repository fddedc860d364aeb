using Mcu.Rtc.Srtp;

namespace Mcu.Rtc.Dtls;

/// <summary>Knobs that production leaves at their defaults; tests turn them.</summary>
internal sealed record DtlsSessionOptions
{
    internal static readonly DtlsSessionOptions Default = new();

    /// <summary>RFC 6347 §4.2.4.1: initial retransmission timer of one second, doubled per retry.</summary>
    internal int HandshakeResendMillis { get; init; } = 1_000;

    /// <summary>Give up on a handshake that has not completed after this long.</summary>
    internal int HandshakeTimeoutMillis { get; init; } = 30_000;

    /// <summary>use_srtp profiles we offer (client) or accept (server), in preference order.</summary>
    internal SrtpProfile[] SrtpProfiles { get; init; } = [SrtpProfile.AeadAes128Gcm, SrtpProfile.Aes128CmHmacSha1_80];
}
