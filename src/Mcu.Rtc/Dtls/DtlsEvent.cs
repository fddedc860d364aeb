using Mcu.Rtc.Srtp;

namespace Mcu.Rtc.Dtls;

/// <summary>What a <see cref="DtlsSession"/> has to tell its owner, polled with <see cref="DtlsSession.TryPollEvent"/>.</summary>
public abstract record DtlsEvent
{
    private DtlsEvent()
    {
    }

    /// <summary>
    /// The handshake completed with the peer whose certificate matched the SDP fingerprint.
    /// <paramref name="KeyingMaterial"/> is RFC 5764 §4.2's EXTRACTOR-dtls_srtp output: client key,
    /// server key, client salt, server salt (56 bytes for AEAD_AES_128_GCM, 60 for AES128_CM_SHA1_80).
    /// </summary>
    public sealed record Connected(SrtpProfile Profile, byte[] KeyingMaterial) : DtlsEvent;

    /// <summary>The peer sent close_notify.</summary>
    public sealed record Closed : DtlsEvent;

    /// <summary>The handshake or the connection failed.</summary>
    public sealed record Failed(string Reason) : DtlsEvent;
}
