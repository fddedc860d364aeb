using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Stun;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcu.Rtc.Transport;

/// <summary>
/// The sockets a server (or a test client) uses for all its peers — one UDP socket and, for
/// ICE-TCP, a TCP listener whose every connection counts as one more remote address — and the
/// only place that touches a socket or a timer. A datagram (or a TCP frame) goes to the
/// connection that owns its source; a STUN check from an unknown source goes to the connection
/// whose local ICE ufrag it names, and once that connection authenticates it the source is
/// learned. Everything else is dropped and counted (and an unknown TCP connection is closed).
/// </summary>
public sealed class MediaTransport : IDisposable
{
    private const int MaxDatagram = 2048;
    internal const int MaxAddressesPerConnection = 4;

    /// <summary>How often the timer loop looks for connections whose <see cref="PeerConnection.NextTimeoutMs"/> has come.</summary>
    private static readonly TimeSpan TimerPeriod = TimeSpan.FromMilliseconds(20);

    private readonly Socket _socket;
    private readonly TcpMediaPort _tcp;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    // Each learned UDP address with its transport address, made once, so the hot path allocates nothing.
    private readonly ConcurrentDictionary<SocketAddress, Route> _byAddress = new();
    private readonly ConcurrentDictionary<string, RtcConnection> _byUfrag = new(StringComparer.Ordinal);
    // Handlers hear one input at a time per transport: the UDP loop and every TCP connection's reader take turns.
    private readonly Lock _deliverLock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiveLoop;
    private readonly Task _timerLoop;
    private int _disposed;

    /// <param name="bindTo">The UDP socket's address.</param>
    /// <param name="tcp">TCP settings; with <see cref="TcpTransportOptions.Listen"/> the transport also accepts ICE-TCP connections.</param>
    public MediaTransport(IPEndPoint bindTo, TimeProvider? time = null, ILogger<MediaTransport>? logger = null, TcpTransportOptions? tcp = null)
    {
        _time = time ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _socket = new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.ReceiveBufferSize = 4 * 1024 * 1024;
            _socket.SendBufferSize = 4 * 1024 * 1024;
            _socket.Bind(bindTo);
            _tcp = new TcpMediaPort(this, tcp ?? new TcpTransportOptions(), _logger);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        Log.Listening(_logger, LocalEndPoint);
        _receiveLoop = Task.Factory.StartNew(ReceiveLoop, TaskCreationOptions.LongRunning).Unwrap();
        _timerLoop = TimerLoop();
    }

    /// <summary>The UDP socket's address.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The TCP listener's address; null when the transport does not listen on TCP.</summary>
    public IPEndPoint? TcpLocalEndPoint => _tcp.LocalEndPoint;

    public TransportCounters Counters { get; } = new();

    public int ConnectionCount => _byUfrag.Count;

    /// <summary>TCP connections open now (accepted, and our client role's own).</summary>
    public int TcpConnectionCount => _tcp.Count;

    internal long NowMs => _time.GetTimestamp() * 1000 / _time.TimestampFrequency;

    /// <summary>Starts routing datagrams to <paramref name="peer"/>; the transport owns it from now on.</summary>
    public RtcConnection Add(PeerConnection peer, IRtcConnectionHandler handler)
    {
        var connection = new RtcConnection(this, peer, handler);
        if (!_byUfrag.TryAdd(peer.LocalUfrag, connection))
        {
            throw new InvalidOperationException($"ICE ufrag {peer.LocalUfrag} is in use already.");
        }
        peer.StateChanged += state => OnStateChanged(connection, state);
        if (peer.RemoteAddress is null && peer.RemoteCandidate is { } server)
        {
            // The client role knows where the server is; over TCP it connects (an active candidate).
            if (server.Protocol == TransportProtocol.Udp)
            {
                Learn(connection, server);
            }
            else
            {
                Bind(_tcp.Connect(server), connection);
            }
        }
        // The client role has checks to send at once.
        peer.HandleTimeout(NowMs);
        Flush(connection, via: null);
        return connection;
    }

    /// <summary>Closes and forgets a connection. Safe to call twice.</summary>
    public void Remove(RtcConnection connection)
    {
        if (Forget(connection))
        {
            connection.Peer.Close();
            Flush(connection, via: null); // close_notify (over UDP; its TCP connections are closed already)
        }
    }

    /// <summary>Takes a connection out of the routing tables and closes its TCP connections; false if it was gone already.</summary>
    private bool Forget(RtcConnection connection)
    {
        if (!_byUfrag.TryRemove(new KeyValuePair<string, RtcConnection>(connection.Peer.LocalUfrag, connection)))
        {
            return false;
        }
        lock (connection.Addresses)
        {
            foreach (var address in connection.Addresses)
            {
                _byAddress.TryRemove(address, out _);
            }
            connection.Addresses.Clear();
        }
        TcpLink[] links;
        lock (connection.Links)
        {
            links = [.. connection.Links];
            connection.Links.Clear();
        }
        foreach (var link in links)
        {
            link.Close(TcpCloseReason.Ended);
        }
        return true;
    }

    /// <summary>Sends bytes as they are, unprotected: only tests use it, to play a misbehaving peer.</summary>
    internal bool SendRaw(ReadOnlySpan<byte> datagram, IPEndPoint to) => Send(datagram, to.Serialize());

    internal bool Send(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, to);
            Interlocked.Increment(ref Counters._sent);
            return true;
        }
        catch (SocketException e)
        {
            // ICMP unreachable from a departed peer and the like: count it, the peer's consent will expire.
            Interlocked.Increment(ref Counters._sendErrors);
            Log.SendFailed(_logger, to.ToString(), e.SocketErrorCode);
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Sends one packet as a frame on a TCP connection; never waits on the network.</summary>
    internal bool Send(ReadOnlySpan<byte> packet, TcpLink link)
    {
        if (!link.Send(packet))
        {
            Interlocked.Increment(ref Counters._sendErrors);
            return false;
        }
        Interlocked.Increment(ref Counters._sent);
        return true;
    }

    /// <summary>The TCP connection of <paramref name="connection"/> whose peer side is <paramref name="remote"/>, if it is open.</summary>
    internal static TcpLink? FindLink(RtcConnection connection, TransportAddress remote)
    {
        lock (connection.Links)
        {
            foreach (var link in connection.Links)
            {
                if (link.Remote.Equals(remote) && !link.IsClosed)
                {
                    return link;
                }
            }
        }
        return null;
    }

    /// <summary>Stops: every connection is closed (close_notify goes out), then the sockets.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stop.Cancel();
        foreach (var connection in _byUfrag.Values)
        {
            try
            {
                Remove(connection);
            }
            catch (Exception e)
            {
                Log.HandlerFailed(_logger, e);
            }
        }
        _tcp.Dispose();
        _socket.Dispose();
        try
        {
            Task.WaitAll([_receiveLoop, _timerLoop], TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // Loops end by cancellation; nothing to report.
        }
        _stop.Dispose();
    }

    private async Task ReceiveLoop()
    {
        // One buffer and one address for the life of the loop: handlers see the datagram in place.
        var buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram, pinned: true);
        var from = new SocketAddress(_socket.AddressFamily);
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _socket.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, from, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
            {
                continue; // ICMP port unreachable from an earlier send; not fatal for the other peers.
            }
            catch (SocketException e)
            {
                Log.ReceiveFailed(_logger, e);
                continue;
            }
            Interlocked.Increment(ref Counters._received);
            try
            {
                lock (_deliverLock)
                {
                    Dispatch(buffer.AsSpan(0, length), from);
                }
            }
            catch (Exception e)
            {
                // A bug in one handler must not stop the socket serving every other peer.
                Log.HandlerFailed(_logger, e);
            }
        }
    }

    private void Dispatch(Span<byte> datagram, SocketAddress from)
    {
        if (_byAddress.TryGetValue(from, out var route))
        {
            Deliver(route.Connection, datagram, route.Remote, via: null);
            return;
        }
        if (FindByUfrag(datagram) is not { } connection)
        {
            Interlocked.Increment(ref Counters._droppedUnknownSource);
            return;
        }
        var remote = TransportAddress.Udp(ToEndPoint(from));
        if (Deliver(connection, datagram, remote, via: null) == PeerInput.Control)
        {
            Learn(connection, remote);
        }
    }

    /// <summary>
    /// One frame from a TCP connection, on that connection's reader. False when the connection
    /// should be closed: its first frames must be ICE checks for a session we have, and nothing
    /// else ever introduces it (RFC 8445 §7.3, as for a UDP address).
    /// </summary>
    internal bool OnTcpFrame(TcpLink link, Span<byte> frame)
    {
        Interlocked.Increment(ref Counters._received);
        try
        {
            lock (_deliverLock)
            {
                if (link.Connection is { } known)
                {
                    Deliver(known, frame, link.Remote, link);
                    return true;
                }
                if (FindByUfrag(frame) is not { } connection)
                {
                    Interlocked.Increment(ref Counters._droppedUnknownSource);
                    return false;
                }
                switch (Deliver(connection, frame, link.Remote, link))
                {
                    case PeerInput.Control:
                        Bind(link, connection);
                        return true;
                    case PeerInput.Refused:
                        return true; // the error answer went back; it may still send the right password before its deadline
                    default:
                        return false;
                }
            }
        }
        catch (Exception e)
        {
            Log.HandlerFailed(_logger, e);
            return true;
        }
    }

    /// <summary>A TCP connection closed: its session forgets it, and a session whose media went over it is over.</summary>
    internal void OnLinkClosed(TcpLink link)
    {
        if (link.Connection is not { } connection)
        {
            return;
        }
        lock (connection.Links)
        {
            connection.Links.Remove(link);
        }
        if (link.Remote.Equals(connection.Peer.RemoteAddress))
        {
            Remove(connection);
        }
    }

    /// <summary>Only an authenticated STUN check can introduce a new source (RFC 8445 §7.3): the session its USERNAME names.</summary>
    private RtcConnection? FindByUfrag(ReadOnlySpan<byte> datagram) =>
        StunMessage.IsStun(datagram)
        && IceLiteAgent.TryReadLocalUfrag(datagram, out var ufragBytes)
        && _byUfrag.TryGetValue(Encoding.ASCII.GetString(ufragBytes), out var connection)
            ? connection
            : null;

    private PeerInput Deliver(RtcConnection connection, Span<byte> datagram, TransportAddress remote, TcpLink? via)
    {
        var input = connection.Peer.HandleDatagram(datagram, remote, NowMs, out int plainLength);
        switch (input)
        {
            case PeerInput.Rtp:
                connection.Handler.OnRtp(connection, datagram[..plainLength]);
                break;
            case PeerInput.Rtcp:
                connection.Handler.OnRtcp(connection, datagram[..plainLength]);
                break;
            case PeerInput.Control:
                Flush(connection, via);
                break;
            case PeerInput.Refused:
                // The error answer goes out; the sender's address stays unknown.
                Interlocked.Increment(ref Counters._refusedChecks);
                Flush(connection, via);
                break;
            default:
                Interlocked.Increment(ref Counters._droppedByPeer);
                break;
        }
        return input;
    }

    private void Learn(RtcConnection connection, TransportAddress remote)
    {
        var address = remote.EndPoint.Serialize();
        if (!_byUfrag.ContainsKey(connection.Peer.LocalUfrag))
        {
            return; // removed meanwhile
        }
        if (_byAddress.TryAdd(address, new Route(connection, remote)))
        {
            lock (connection.Addresses)
            {
                connection.Addresses.Add(address);
                // A peer with valid credentials checking from ever new ports must not grow the table:
                // keep its newest few addresses (a real one has one, two while its network changes).
                while (connection.Addresses.Count > MaxAddressesPerConnection)
                {
                    _byAddress.TryRemove(connection.Addresses[0], out _);
                    connection.Addresses.RemoveAt(0);
                }
            }
        }
    }

    /// <summary>
    /// Gives a TCP connection to a session. As with UDP addresses, a session keeps a few: past them the
    /// oldest goes, unless media goes over it (a browser opens one per pair of candidates, and nominates one).
    /// </summary>
    private void Bind(TcpLink link, RtcConnection connection)
    {
        link.Connection = connection;
        TcpLink? spare = null;
        lock (connection.Links)
        {
            connection.Links.Add(link);
            if (connection.Links.Count > MaxAddressesPerConnection)
            {
                var selected = connection.Peer.RemoteAddress;
                spare = connection.Links.First(l => !l.Remote.Equals(selected));
                connection.Links.Remove(spare);
            }
        }
        spare?.Close(TcpCloseReason.Ended);
        if (!_byUfrag.ContainsKey(connection.Peer.LocalUfrag))
        {
            link.Close(TcpCloseReason.Ended); // removed meanwhile
        }
    }

    private void Flush(RtcConnection connection, TcpLink? via)
    {
        Span<byte> buffer = stackalloc byte[MaxDatagram];
        while (connection.Peer.TryPollTransmit(buffer, out int length, out var to))
        {
            if (to!.Protocol == TransportProtocol.Udp)
            {
                Send(buffer[..length], to.EndPoint.Serialize());
            }
            else if ((via is not null && via.Remote.Equals(to) ? via : FindLink(connection, to)) is { } link)
            {
                Send(buffer[..length], link);
            }
        }
    }

    private async Task TimerLoop()
    {
        using var timer = new PeriodicTimer(TimerPeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                long now = NowMs;
                foreach (var connection in _byUfrag.Values)
                {
                    try
                    {
                        if (now >= connection.Peer.NextTimeoutMs)
                        {
                            connection.Peer.HandleTimeout(now);
                            Flush(connection, via: null);
                        }
                        if (connection.Peer.State == PeerState.Connected)
                        {
                            connection.Handler.OnTimer(connection);
                        }
                    }
                    catch (Exception e)
                    {
                        // One connection's failure (a handler that throws on its timeout) must not
                        // stop the timers of every other one: set-up timeouts, consent, checks.
                        Log.TimerFailed(_logger, connection.Peer.LocalUfrag, e);
                    }
                }
                _tcp.Sweep(now);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private void OnStateChanged(RtcConnection connection, PeerState state)
    {
        Log.PeerState(_logger, connection.Peer.LocalUfrag, state,
            connection.Peer.FailureReason is { } reason ? ": " + reason : "");
        try
        {
            connection.Handler.OnStateChanged(connection, state);
        }
        catch (Exception e)
        {
            Log.HandlerFailed(_logger, e);
        }
        if (state is PeerState.Closed or PeerState.Failed)
        {
            Remove(connection);
        }
    }

    private sealed record Route(RtcConnection Connection, TransportAddress Remote);

    private IPEndPoint ToEndPoint(SocketAddress address)
    {
        var template = _socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        return (IPEndPoint)template.Create(address);
    }
}
