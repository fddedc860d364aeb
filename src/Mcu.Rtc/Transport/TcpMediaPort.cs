using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mcu.Rtc.Ice;
using Microsoft.Extensions.Logging;

namespace Mcu.Rtc.Transport;

/// <summary>
/// The TCP side of a <see cref="MediaTransport"/> (ICE-TCP, RFC 6544): the listening socket behind
/// the server's passive candidates, the connections it accepts (and those our client role makes),
/// their limits and their deadlines. Each connection is one more "remote address" for the
/// transport's demultiplexer; nothing here knows about sessions.
/// </summary>
internal sealed class TcpMediaPort : IDisposable
{
    /// <summary>Deadlines are looked at this often (from the transport's timer loop).</summary>
    private const long SweepPeriodMs = 250;

    private readonly MediaTransport _transport;
    private readonly TcpTransportOptions _options;
    private readonly ILogger _logger;
    private readonly Socket? _listener;
    private readonly ConcurrentDictionary<TcpLink, byte> _links = new();
    private readonly Dictionary<IPAddress, int> _perAddress = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop = Task.CompletedTask;
    private int _open;
    private long _nextSweepMs;

    public TcpMediaPort(MediaTransport transport, TcpTransportOptions options, ILogger logger)
    {
        options.Validate();
        _transport = transport;
        _options = options;
        _logger = logger;
        if (options.Listen is { } listen)
        {
            _listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                _listener.Bind(listen);
                _listener.Listen(128);
            }
            catch
            {
                _listener.Dispose();
                throw;
            }
            LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
            Log.TcpListening(_logger, LocalEndPoint);
            _acceptLoop = AcceptLoopAsync(_listener);
        }
    }

    public MediaTransport Transport => _transport;

    /// <summary>Where the listener is bound; null without one.</summary>
    public IPEndPoint? LocalEndPoint { get; }

    public int Count => Volatile.Read(ref _open);

    public long NowMs => _transport.NowMs;

    /// <summary>Client role: connects to a server's passive candidate. Frames sent meanwhile wait in the link's queue.</summary>
    public TcpLink Connect(TransportAddress server)
    {
        var socket = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        Configure(socket);
        Interlocked.Increment(ref _open);
        var link = new TcpLink(socket, server, this, _options.SendQueueBytes, accepted: false, NowMs);
        _links[link] = 0;
        _ = ConnectAsync(link, socket, server.EndPoint);
        return link;
    }

    /// <summary>Closes connections past their deadlines; cheap to call often.</summary>
    public void Sweep(long nowMs)
    {
        if (nowMs < _nextSweepMs)
        {
            return;
        }
        _nextSweepMs = nowMs + SweepPeriodMs;
        long firstCheckMs = (long)_options.FirstCheckTimeout.TotalMilliseconds;
        long stallMs = (long)_options.StallTimeout.TotalMilliseconds;
        foreach (var link in _links.Keys)
        {
            if (link.Overdue(nowMs, firstCheckMs, stallMs) is { } reason)
            {
                link.Close(reason);
            }
        }
    }

    /// <summary>A link's reader or writer threw something unforeseen: said, and that link closed.</summary>
    public void OnFailed(TcpLink link, Exception e)
    {
        Log.TcpFailed(_logger, link.Remote.EndPoint, e);
        link.Close(TcpCloseReason.Ended);
    }

    public void CountSendDrop() => Interlocked.Increment(ref _transport.Counters._tcpSendDrops);

    /// <summary>Called once by each link as it closes.</summary>
    public void OnClosed(TcpLink link, TcpCloseReason reason)
    {
        if (!_links.TryRemove(link, out _))
        {
            return;
        }
        Interlocked.Decrement(ref _open);
        if (link.Accepted)
        {
            lock (_perAddress)
            {
                var address = link.Remote.EndPoint.Address;
                if (--_perAddress[address] == 0)
                {
                    _perAddress.Remove(address);
                }
            }
        }
        var counters = _transport.Counters;
        switch (reason)
        {
            case TcpCloseReason.BadInput:
                Interlocked.Increment(ref counters._tcpClosedBadInput);
                break;
            case TcpCloseReason.NoCheck or TcpCloseReason.Stalled:
                Interlocked.Increment(ref counters._tcpClosedTimedOut);
                break;
        }
        Log.TcpClosed(_logger, link.Remote.EndPoint, reason);
        _transport.OnLinkClosed(link);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener?.Dispose();
        foreach (var link in _links.Keys)
        {
            link.Close(TcpCloseReason.Ended);
        }
        try
        {
            _acceptLoop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // ends by cancellation
        }
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors and the like: say so, and do not spin on it.
                Log.AcceptFailed(_logger, e);
                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
                continue;
            }
            Admit(socket);
        }
    }

    private void Admit(Socket socket)
    {
        if (socket.RemoteEndPoint is not IPEndPoint remote || !TryReserve(remote.Address))
        {
            Interlocked.Increment(ref _transport.Counters._tcpRefused);
            socket.Dispose();
            return;
        }
        Configure(socket);
        var link = new TcpLink(socket, TransportAddress.Tcp(remote), this, _options.SendQueueBytes, accepted: true, NowMs);
        _links[link] = 0;
        Interlocked.Increment(ref _transport.Counters._tcpAccepted);
        link.Start();
    }

    private void Configure(Socket socket)
    {
        socket.NoDelay = true; // media: a frame waits for nothing
        socket.SendBufferSize = _options.SendQueueBytes; // no kernel autotuning to megabytes of stale media
    }

    /// <summary>Takes a place for a connection from <paramref name="address"/> within both limits.</summary>
    private bool TryReserve(IPAddress address)
    {
        lock (_perAddress)
        {
            _perAddress.TryGetValue(address, out int fromAddress);
            if (_open >= _options.MaxConnections || fromAddress >= _options.MaxConnectionsPerAddress)
            {
                return false;
            }
            _perAddress[address] = fromAddress + 1;
            Interlocked.Increment(ref _open);
            return true;
        }
    }

    private async Task ConnectAsync(TcpLink link, Socket socket, IPEndPoint server)
    {
        try
        {
            await socket.ConnectAsync(server, _stop.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            link.Close(TcpCloseReason.ConnectFailed);
            return;
        }
        link.Start();
    }
}
