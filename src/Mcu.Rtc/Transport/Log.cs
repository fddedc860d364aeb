using Microsoft.Extensions.Logging;

namespace Mcu.Rtc.Transport;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "UDP media socket on {EndPoint}")]
    public static partial void Listening(ILogger logger, System.Net.EndPoint endPoint);

    [LoggerMessage(2, LogLevel.Information, "Peer {Ufrag} is {State}{Reason}")]
    public static partial void PeerState(ILogger logger, string ufrag, Peer.PeerState state, string reason);

    [LoggerMessage(3, LogLevel.Warning, "UDP receive failed")]
    public static partial void ReceiveFailed(ILogger logger, Exception exception);

    [LoggerMessage(4, LogLevel.Error, "A connection handler threw; the datagram was dropped")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Debug, "UDP send to {EndPoint} failed: {Error}")]
    public static partial void SendFailed(ILogger logger, string endPoint, System.Net.Sockets.SocketError error);

    [LoggerMessage(6, LogLevel.Error, "Peer {Ufrag}: its timer threw; the other connections go on")]
    public static partial void TimerFailed(ILogger logger, string ufrag, Exception exception);

    [LoggerMessage(7, LogLevel.Information, "ICE-TCP listening on {EndPoint}")]
    public static partial void TcpListening(ILogger logger, System.Net.EndPoint endPoint);

    [LoggerMessage(8, LogLevel.Debug, "TCP connection from {EndPoint} closed: {Reason}")]
    public static partial void TcpClosed(ILogger logger, System.Net.EndPoint endPoint, TcpCloseReason reason);

    [LoggerMessage(9, LogLevel.Warning, "TCP accept failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(10, LogLevel.Error, "TCP connection from {EndPoint} failed; it is closed, the others go on")]
    public static partial void TcpFailed(ILogger logger, System.Net.EndPoint endPoint, Exception exception);
}
