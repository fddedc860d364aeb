using System.Net;
using System.Net.Sockets;
using Mcu.Rtc.Peer;

namespace Mcu.Rtc.Transport;

/// <summary>A <see cref="PeerConnection"/> bound to a <see cref="UdpTransport"/>'s socket.</summary>
public sealed class RtcConnection
{
    private readonly UdpTransport _transport;
    private IPEndPoint? _sendTo;
    private SocketAddress? _sendToAddress;

    internal RtcConnection(UdpTransport transport, PeerConnection peer, IRtcConnectionHandler handler)
    {
        _transport = transport;
        Peer = peer;
        Handler = handler;
    }

    public PeerConnection Peer { get; }

    internal IRtcConnectionHandler Handler { get; }

    /// <summary>Addresses the transport has learned for this peer (usually one).</summary>
    internal List<SocketAddress> Addresses { get; } = new();

    /// <summary>Protects <c>buffer[..length]</c> (RTP) in place and sends it. Needs SRTP overhead room.</summary>
    public bool SendRtp(Span<byte> buffer, int length)
    {
        var to = SendAddress();
        if (to is null || !Peer.TryProtectRtp(buffer, length, out int protectedLength))
        {
            return false;
        }
        return _transport.Send(buffer[..protectedLength], to);
    }

    /// <summary>Protects <c>buffer[..length]</c> (RTCP) in place and sends it. Needs SRTCP overhead room.</summary>
    public bool SendRtcp(Span<byte> buffer, int length)
    {
        var to = SendAddress();
        if (to is null || !Peer.TryProtectRtcp(buffer, length, out int protectedLength))
        {
            return false;
        }
        return _transport.Send(buffer[..protectedLength], to);
    }

    /// <summary>Closes the peer and forgets it; the handler hears <see cref="PeerState.Closed"/>.</summary>
    public void Close() => _transport.Remove(this);

    private SocketAddress? SendAddress()
    {
        var remote = Peer.RemoteEndPoint;
        if (remote is null)
        {
            return null;
        }
        if (!ReferenceEquals(remote, _sendTo))
        {
            // Serialising allocates: do it once per nominated address, not per packet.
            _sendToAddress = remote.Serialize();
            _sendTo = remote;
        }
        return _sendToAddress;
    }
}
