using System.Net;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Peer;

namespace Mcu.Rtc.Transport;

/// <summary>A <see cref="PeerConnection"/> bound to a <see cref="MediaTransport"/>'s sockets.</summary>
public sealed class RtcConnection
{
    private readonly MediaTransport _transport;
    private SendRoute? _route;

    internal RtcConnection(MediaTransport transport, PeerConnection peer, IRtcConnectionHandler handler)
    {
        _transport = transport;
        Peer = peer;
        Handler = handler;
    }

    public PeerConnection Peer { get; }

    /// <summary>UDP or TCP: the protocol media goes over now (the path the peer nominated); null before ICE nominated one.</summary>
    public TransportProtocol? Protocol => Peer.RemoteAddress?.Protocol;

    internal IRtcConnectionHandler Handler { get; }

    /// <summary>UDP addresses the transport has learned for this peer (usually one).</summary>
    internal List<SocketAddress> Addresses { get; } = new();

    /// <summary>TCP connections that carried an authenticated check for this peer (usually none or one).</summary>
    internal List<TcpLink> Links { get; } = new();

    /// <summary>Protects <c>buffer[..length]</c> (RTP) in place and sends it. Needs SRTP overhead room.</summary>
    public bool SendRtp(Span<byte> buffer, int length)
    {
        var route = Route();
        if (route is null || !Peer.TryProtectRtp(buffer, length, out int protectedLength))
        {
            return false;
        }
        return Send(route, buffer[..protectedLength]);
    }

    /// <summary>Protects <c>buffer[..length]</c> (RTCP) in place and sends it. Needs SRTCP overhead room.</summary>
    public bool SendRtcp(Span<byte> buffer, int length)
    {
        var route = Route();
        if (route is null || !Peer.TryProtectRtcp(buffer, length, out int protectedLength))
        {
            return false;
        }
        return Send(route, buffer[..protectedLength]);
    }

    /// <summary>Closes the peer and forgets it; the handler hears <see cref="PeerState.Closed"/>.</summary>
    public void Close() => _transport.Remove(this);

    private bool Send(SendRoute route, ReadOnlySpan<byte> packet) =>
        route.Link is { } link ? _transport.Send(packet, link) : _transport.Send(packet, route.Address!);

    /// <summary>Where media goes now, resolved once per nominated path: senders on any thread read one immutable route.</summary>
    private SendRoute? Route()
    {
        var remote = Peer.RemoteAddress;
        if (remote is null)
        {
            return null;
        }
        var route = _route;
        if (route is not null && ReferenceEquals(route.Remote, remote))
        {
            return route;
        }
        // Serialising allocates: do it once per nominated address, not per packet.
        if (remote.Protocol == TransportProtocol.Udp)
        {
            route = new SendRoute(remote, remote.EndPoint.Serialize(), null);
        }
        else if (MediaTransport.FindLink(this, remote) is { } link)
        {
            route = new SendRoute(remote, null, link);
        }
        else
        {
            return null; // nominated on a connection not bound yet, or gone
        }
        _route = route;
        return route;
    }

    private sealed record SendRoute(TransportAddress Remote, SocketAddress? Address, TcpLink? Link);
}
