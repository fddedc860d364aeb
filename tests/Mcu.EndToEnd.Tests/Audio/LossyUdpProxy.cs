using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Mcu.EndToEnd.Tests.Audio;

/// <summary>
/// A lossy network between browsers and the server: listens on <c>127.0.0.2:port</c> (the address the
/// server announces with <c>Mcu:PublicIp</c>, on its own port number) and relays each client's datagrams
/// to the server from a socket of its own, and the answers back. A fraction of the RTP packets is
/// dropped each way (seeded); STUN, DTLS and RTCP pass, as a proxy that drops "media packets" does.
/// </summary>
public sealed class LossyUdpProxy : IDisposable
{
    private readonly Socket _front;
    private readonly IPEndPoint _server;
    private readonly ConcurrentDictionary<IPEndPoint, Socket> _backs = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Random _random;
    private readonly Lock _randomLock = new();
    private long _dropped;
    private long _relayed;

    public LossyUdpProxy(IPEndPoint front, IPEndPoint server, int seed = 10)
    {
        _server = server;
        _random = new Random(seed);
        _front = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _front.Bind(front);
        _ = Task.Run(FrontLoop);
    }

    /// <summary>Fraction of RTP packets dropped each way, 0..1.</summary>
    public double Loss { get; set; }

    public long RtpDropped => Interlocked.Read(ref _dropped);

    public long RtpRelayed => Interlocked.Read(ref _relayed);

    /// <summary>A free UDP port on both 127.0.0.1 and 127.0.0.2.</summary>
    public static int FreePort()
    {
        for (int attempt = 0; ; attempt++)
        {
            using var a = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            a.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)a.LocalEndPoint!).Port;
            try
            {
                using var b = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                b.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _front.Dispose();
        foreach (var back in _backs.Values)
        {
            back.Dispose();
        }
    }

    private async Task FrontLoop()
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _front.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var client = (IPEndPoint)received.RemoteEndPoint;
            var back = _backs.GetOrAdd(client, c =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                _ = Task.Run(() => BackLoop(socket, c));
                return socket;
            });
            var datagram = buffer.AsMemory(0, received.ReceivedBytes);
            if (!Drop(datagram.Span))
            {
                await back.SendToAsync(datagram, SocketFlags.None, _server);
            }
        }
    }

    private async Task BackLoop(Socket back, IPEndPoint client)
    {
        var buffer = new byte[2048];
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await back.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (!Drop(buffer.AsSpan(0, length)))
            {
                try
                {
                    await _front.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, client);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>RTP (RFC 7983: first byte 128-191; RFC 5761: a second byte outside RTCP's 192-223) is dropped at the loss rate.</summary>
    private bool Drop(ReadOnlySpan<byte> datagram)
    {
        bool rtp = datagram.Length >= 12 && datagram[0] is >= 128 and <= 191 && datagram[1] is not (>= 192 and <= 223);
        if (!rtp)
        {
            return false;
        }
        bool lost;
        lock (_randomLock)
        {
            lost = _random.NextDouble() < Loss;
        }
        Interlocked.Increment(ref lost ? ref _dropped : ref _relayed);
        return lost;
    }
}
