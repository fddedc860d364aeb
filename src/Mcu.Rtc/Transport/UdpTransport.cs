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
/// The one UDP socket a server (or a test client) uses for all its peers, and the
/// only place that touches a socket or a timer. A datagram goes to the connection
/// that owns its source address; a STUN check from an unknown address goes to the
/// connection whose local ICE ufrag it names, and once that connection authenticates
/// it the address is learned. Everything else is dropped and counted.
/// </summary>
public sealed class UdpTransport : IDisposable
{
    private const int MaxDatagram = 2048;
    internal const int MaxAddressesPerConnection = 4;

    /// <summary>How often the timer loop looks for connections whose <see cref="PeerConnection.NextTimeoutMs"/> has come.</summary>
    private static readonly TimeSpan TimerPeriod = TimeSpan.FromMilliseconds(20);

    private readonly Socket _socket;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    // Each learned address with its endpoint, made once, so the hot path allocates nothing.
    private readonly ConcurrentDictionary<SocketAddress, Route> _byAddress = new();
    private readonly ConcurrentDictionary<string, RtcConnection> _byUfrag = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiveLoop;
    private readonly Task _timerLoop;

    public UdpTransport(IPEndPoint bindTo, TimeProvider? time = null, ILogger<UdpTransport>? logger = null)
    {
        _time = time ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _socket = new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _socket.SendBufferSize = 4 * 1024 * 1024;
        _socket.Bind(bindTo);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        Log.Listening(_logger, LocalEndPoint);
        _receiveLoop = Task.Factory.StartNew(ReceiveLoop, TaskCreationOptions.LongRunning).Unwrap();
        _timerLoop = TimerLoop();
    }

    public IPEndPoint LocalEndPoint { get; }

    public TransportCounters Counters { get; } = new();

    public int ConnectionCount => _byUfrag.Count;

    /// <summary>Starts routing datagrams to <paramref name="peer"/>; the transport owns it from now on.</summary>
    public RtcConnection Add(PeerConnection peer, IRtcConnectionHandler handler)
    {
        var connection = new RtcConnection(this, peer, handler);
        if (!_byUfrag.TryAdd(peer.LocalUfrag, connection))
        {
            throw new InvalidOperationException($"ICE ufrag {peer.LocalUfrag} is in use already.");
        }
        peer.StateChanged += state => OnStateChanged(connection, state);
        if (peer.RemoteEndPoint is null && TryGetClientCandidate(peer, out var candidate))
        {
            Learn(connection, candidate);
        }
        // The client role has checks to send at once.
        peer.HandleTimeout(Now);
        Flush(connection);
        return connection;
    }

    /// <summary>Closes and forgets a connection. Safe to call twice.</summary>
    public void Remove(RtcConnection connection)
    {
        if (Forget(connection))
        {
            connection.Peer.Close();
            Flush(connection); // close_notify
        }
    }

    /// <summary>Takes a connection out of the routing tables; false if it was gone already.</summary>
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

    /// <summary>Stops: every connection is closed (close_notify goes out), then the socket.</summary>
    public void Dispose()
    {
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

    private long Now => _time.GetTimestamp() * 1000 / _time.TimestampFrequency;

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
                Dispatch(buffer.AsSpan(0, length), from);
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
            Deliver(route.Connection, datagram, route.Remote);
            return;
        }
        // Only an authenticated STUN check can introduce a new address (RFC 8445 §7.3).
        if (!StunMessage.IsStun(datagram)
            || !IceLiteAgent.TryReadLocalUfrag(datagram, out var ufragBytes)
            || !_byUfrag.TryGetValue(Encoding.ASCII.GetString(ufragBytes), out var connection))
        {
            Interlocked.Increment(ref Counters._droppedUnknownSource);
            return;
        }
        var remote = ToEndPoint(from);
        if (Deliver(connection, datagram, remote) == PeerInput.Control)
        {
            Learn(connection, remote);
        }
    }

    private PeerInput Deliver(RtcConnection connection, Span<byte> datagram, IPEndPoint remote)
    {
        var input = connection.Peer.HandleDatagram(datagram, remote, Now, out int plainLength);
        switch (input)
        {
            case PeerInput.Rtp:
                connection.Handler.OnRtp(connection, datagram[..plainLength]);
                break;
            case PeerInput.Rtcp:
                connection.Handler.OnRtcp(connection, datagram[..plainLength]);
                break;
            case PeerInput.Control:
                Flush(connection);
                break;
            case PeerInput.Refused:
                // The error answer goes out; the sender's address stays unknown.
                Interlocked.Increment(ref Counters._refusedChecks);
                Flush(connection);
                break;
            default:
                Interlocked.Increment(ref Counters._droppedByPeer);
                break;
        }
        return input;
    }

    private void Learn(RtcConnection connection, IPEndPoint remote)
    {
        var address = remote.Serialize();
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

    private void Flush(RtcConnection connection)
    {
        Span<byte> buffer = stackalloc byte[MaxDatagram];
        while (connection.Peer.TryPollTransmit(buffer, out int length, out var to))
        {
            Send(buffer[..length], to!.Serialize());
        }
    }

    private async Task TimerLoop()
    {
        using var timer = new PeriodicTimer(TimerPeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                long now = Now;
                foreach (var connection in _byUfrag.Values)
                {
                    try
                    {
                        if (now >= connection.Peer.NextTimeoutMs)
                        {
                            connection.Peer.HandleTimeout(now);
                            Flush(connection);
                        }
                    }
                    catch (Exception e)
                    {
                        // One connection's failure (a handler that throws on its timeout) must not
                        // stop the timers of every other one: set-up timeouts, consent, checks.
                        Log.TimerFailed(_logger, connection.Peer.LocalUfrag, e);
                    }
                }
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

    private sealed record Route(RtcConnection Connection, IPEndPoint Remote);

    private static bool TryGetClientCandidate(PeerConnection peer, out IPEndPoint candidate)
    {
        candidate = peer.RemoteCandidate!;
        return candidate is not null;
    }

    private IPEndPoint ToEndPoint(SocketAddress address)
    {
        var template = _socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        return (IPEndPoint)template.Create(address);
    }
}
