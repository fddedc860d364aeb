using System.Net;
using Mcu.Rtc.Dtls;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Rtp;

namespace Mcu.Rtc.Tests.Peer;

/// <summary>
/// Two peer connections, server role and client role, joined by a simulated link on a simulated
/// clock: each datagram is lost with <c>lossRate</c>, or delivered after <c>delayMs</c> plus a
/// random jitter up to <c>jitterMs</c> (so datagrams sent close together arrive reordered). The
/// clock jumps from event to event (a delivery, a peer's <see cref="PeerConnection.NextTimeoutMs"/>):
/// no thread, no sleep, and a seed repeats a run exactly.
/// </summary>
internal sealed class PeerPair : IDisposable
{
    internal static readonly IPEndPoint ServerAddress = new(IPAddress.Loopback, 40000);
    internal static readonly IPEndPoint ClientAddress = new(IPAddress.Loopback, 40001);

    private const int MaxSteps = 1_000_000;

    private readonly Random _random;
    private readonly double _lossRate;
    private readonly long _delayMs;
    private readonly long _jitterMs;
    private readonly PriorityQueue<(bool ToServer, byte[] Data), (long AtMs, long Order)> _link = new();
    private readonly byte[] _buffer = new byte[2048];
    private long _order;

    internal PeerPair(int seed = 0, double lossRate = 0, long delayMs = 0, long jitterMs = 0,
        string? clientExpects = null, bool serverIsDtlsClient = false)
    {
        _random = new Random(seed);
        _lossRate = lossRate;
        _delayMs = delayMs;
        _jitterMs = jitterMs;
        var serverCertificate = DtlsCertificate.Generate();
        var clientCertificate = DtlsCertificate.Generate();
        var serverIce = IceCredentials.Generate();
        var clientIce = IceCredentials.Generate();
        Server = new PeerConnection(new PeerConnectionOptions
        {
            Role = PeerRole.Server, LocalIce = serverIce, RemoteIce = clientIce, Certificate = serverCertificate,
            RemoteFingerprint = clientCertificate.Sha256Fingerprint,
            DtlsRole = serverIsDtlsClient ? DtlsRole.Client : DtlsRole.Server,
        });
        Client = new PeerConnection(new PeerConnectionOptions
        {
            Role = PeerRole.Client, LocalIce = clientIce, RemoteIce = serverIce, Certificate = clientCertificate,
            RemoteFingerprint = clientExpects ?? serverCertificate.Sha256Fingerprint,
            DtlsRole = serverIsDtlsClient ? DtlsRole.Server : DtlsRole.Client,
            RemoteCandidate = ServerAddress,
        });
    }

    internal PeerConnection Server { get; }

    internal PeerConnection Client { get; }

    internal long NowMs { get; private set; }

    /// <summary>Every datagram either peer sent, with the simulated time; <c>Dropped</c> if the link lost it.</summary>
    internal List<(long AtMs, bool FromServer, byte[] Data, bool Dropped)> Sent { get; } = [];

    /// <summary>What each datagram delivered to the server turned out to be.</summary>
    internal List<(byte[] Data, PeerInput Input)> AtServer { get; } = [];

    /// <summary>Plain RTP each side received.</summary>
    internal List<byte[]> RtpAtServer { get; } = [];

    internal List<byte[]> RtpAtClient { get; } = [];

    /// <summary>Return true to lose a datagram (from the server or not) on top of the random loss.</summary>
    internal Func<bool, byte[], bool> Drop { get; set; } = (_, _) => false;

    internal bool BothConnected => Server.State == PeerState.Connected && Client.State == PeerState.Connected;

    /// <summary>DTLS datagrams (first byte 20-63) the server sent.</summary>
    internal IEnumerable<(long AtMs, byte[] Data, bool Dropped)> ServerDtls =>
        Sent.Where(sent => sent.FromServer && IsDtls(sent.Data)).Select(sent => (sent.AtMs, sent.Data, sent.Dropped));

    internal static bool IsDtls(byte[] datagram) => datagram[0] is >= 20 and <= 63;

    /// <summary>Runs the link and the timers until <paramref name="done"/>; false if it has not come by <paramref name="limitMs"/>.</summary>
    internal bool RunUntil(Func<bool> done, long limitMs = 60_000)
    {
        for (int step = 0; step < MaxSteps; step++)
        {
            Transmit();
            if (done())
            {
                return true;
            }
            long next = Math.Min(Server.NextTimeoutMs, Client.NextTimeoutMs);
            if (_link.TryPeek(out _, out var arrival))
            {
                next = Math.Min(next, arrival.AtMs);
            }
            if (next > limitMs)
            {
                return false;
            }
            NowMs = Math.Max(NowMs, next);
            while (_link.TryPeek(out _, out arrival) && arrival.AtMs <= NowMs)
            {
                var (toServer, data) = _link.Dequeue();
                Deliver(toServer, data);
            }
            if (NowMs >= Server.NextTimeoutMs)
            {
                Server.HandleTimeout(NowMs);
            }
            if (NowMs >= Client.NextTimeoutMs)
            {
                Client.HandleTimeout(NowMs);
            }
        }
        throw new InvalidOperationException("the simulation did not advance");
    }

    /// <summary>Protects an RTP packet from one side and puts it on the link.</summary>
    internal void SendRtp(bool fromServer, ushort sequenceNumber, ReadOnlySpan<byte> payload)
    {
        var packet = new byte[1500];
        int length = new RtpHeader { PayloadType = 96, SequenceNumber = sequenceNumber, Timestamp = 1234, Ssrc = fromServer ? 1u : 2u }
            .WriteTo(packet);
        payload.CopyTo(packet.AsSpan(length));
        var from = fromServer ? Server : Client;
        Assert.True(from.TryProtectRtp(packet, length + payload.Length, out int protectedLength));
        Put(!fromServer, packet[..protectedLength], fromServer);
    }

    /// <summary>Puts a datagram for the server on the link as if the client had sent it, at the current time.</summary>
    internal void InjectToServer(byte[] datagram, long afterMs) => _link.Enqueue((true, datagram), (NowMs + afterMs, _order++));

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }

    private void Transmit()
    {
        while (Server.TryPollTransmit(_buffer, out int length, out _))
        {
            Put(toServer: false, _buffer[..length], fromServer: true);
        }
        while (Client.TryPollTransmit(_buffer, out int length, out _))
        {
            Put(toServer: true, _buffer[..length], fromServer: false);
        }
    }

    private void Put(bool toServer, byte[] datagram, bool fromServer)
    {
        bool dropped = Drop(fromServer, datagram) || _random.NextDouble() < _lossRate;
        Sent.Add((NowMs, fromServer, datagram, dropped));
        if (!dropped)
        {
            long delay = _delayMs + (_jitterMs > 0 ? _random.NextInt64(_jitterMs + 1) : 0);
            _link.Enqueue((toServer, datagram), (NowMs + delay, _order++));
        }
    }

    private void Deliver(bool toServer, byte[] datagram)
    {
        byte[] copy = datagram.ToArray(); // unprotected in place
        var to = toServer ? Server : Client;
        var input = to.HandleDatagram(copy, TransportAddress.Udp(toServer ? ClientAddress : ServerAddress), NowMs, out int plainLength);
        if (toServer)
        {
            AtServer.Add((datagram, input));
        }
        if (input == PeerInput.Rtp)
        {
            (toServer ? RtpAtServer : RtpAtClient).Add(copy[..plainLength]);
        }
    }
}
