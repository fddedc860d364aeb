using Mcu.Rtc.Peer;

namespace Mcu.Rtc.Transport;

/// <summary>
/// What the owner of a connection (an echo session, a conference participant, a test
/// client) hears from the transport. Calls come from the transport's receive loops (the UDP
/// socket's, and each TCP connection's reader), one at a time per transport: keep them short
/// and never block.
/// </summary>
public interface IRtcConnectionHandler
{
    void OnStateChanged(RtcConnection connection, PeerState state);

    /// <summary>A decrypted RTP packet; the span is valid only during the call.</summary>
    void OnRtp(RtcConnection connection, Span<byte> packet);

    /// <summary>A decrypted RTCP compound packet; the span is valid only during the call.</summary>
    void OnRtcp(RtcConnection connection, Span<byte> packet);

    /// <summary>
    /// The transport's timer, every 20 ms or so, on its timer loop (not a receive loop): the time
    /// for the owner's periodic RTP work (its session's RTCP). Keep it short and never block.
    /// </summary>
    void OnTimer(RtcConnection connection)
    {
    }
}
