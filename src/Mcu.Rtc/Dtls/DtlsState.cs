namespace Mcu.Rtc.Dtls;

/// <summary>Life cycle of a <see cref="DtlsSession"/>.</summary>
public enum DtlsState
{
    /// <summary>Created; <see cref="DtlsSession.Start"/> not called yet.</summary>
    New,

    /// <summary>The handshake is under way.</summary>
    Handshaking,

    /// <summary>Handshake done; SRTP profile and keying material came with <see cref="DtlsEvent.Connected"/>.</summary>
    Connected,

    /// <summary>The handshake or the connection failed; see <see cref="DtlsSession.FailureReason"/>.</summary>
    Failed,

    /// <summary>The peer sent close_notify, or the session was closed.</summary>
    Closed,
}
