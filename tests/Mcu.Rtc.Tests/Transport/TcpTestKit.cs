using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Mcu.Rtc.Dtls;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Srtp;
using Mcu.Rtc.Stun;
using Mcu.Rtc.Transport;

namespace Mcu.Rtc.Tests.Transport;

/// <summary>Remembers what a connection heard: its states and the RTP payloads.</summary>
internal sealed class RecordingHandler : IRtcConnectionHandler
{
    public ConcurrentQueue<PeerState> States { get; } = new();
    public ConcurrentQueue<byte[]> RtpPayloads { get; } = new();

    public void OnStateChanged(RtcConnection connection, PeerState state) => States.Enqueue(state);

    public void OnRtp(RtcConnection connection, Span<byte> packet)
    {
        Assert.True(RtpPacket.TryParse(packet, out var rtp));
        RtpPayloads.Enqueue(rtp.Payload.ToArray());
    }

    public void OnRtcp(RtcConnection connection, Span<byte> packet) { }
}

/// <summary>A server-role and a client-role peer that know each other, to be added to transports.</summary>
internal sealed class TcpPeers
{
    private readonly IceCredentials _serverIce = IceCredentials.Generate();
    private readonly IceCredentials _clientIce = IceCredentials.Generate();
    private readonly DtlsCertificate _serverCertificate = DtlsCertificate.Generate();
    private readonly DtlsCertificate _clientCertificate = DtlsCertificate.Generate();

    public IceCredentials ServerIce => _serverIce;
    public IceCredentials ClientIce => _clientIce;

    public PeerConnection Server() => new(new PeerConnectionOptions
    {
        Role = PeerRole.Server, LocalIce = _serverIce, RemoteIce = _clientIce, Certificate = _serverCertificate,
        RemoteFingerprint = _clientCertificate.Sha256Fingerprint, DtlsRole = DtlsRole.Server,
    });

    public PeerConnection Client(IPEndPoint serverCandidate, TransportProtocol protocol) => new(new PeerConnectionOptions
    {
        Role = PeerRole.Client, LocalIce = _clientIce, RemoteIce = _serverIce, Certificate = _clientCertificate,
        RemoteFingerprint = _serverCertificate.Sha256Fingerprint, DtlsRole = DtlsRole.Client,
        RemoteCandidate = serverCandidate, RemoteCandidateProtocol = protocol,
    });

    /// <summary>A nominating check from the client's credentials, as a browser's first one.</summary>
    public byte[] Check()
    {
        using var agent = new IceControllingAgent(_clientIce, _serverIce, new IPEndPoint(IPAddress.Loopback, 9), 7);
        var check = new byte[IceControllingAgent.MaxRequestLength];
        Assert.True(agent.TryPollTransmit(0, check, out int length));
        return check[..length];
    }

    /// <summary>A valid check that does not nominate: a browser checking another pair.</summary>
    public byte[] PlainCheck()
    {
        var buffer = new byte[IceControllingAgent.MaxRequestLength];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, RandomNumberGenerator.GetBytes(12));
        writer.WriteUsername(Encoding.UTF8.GetBytes($"{_serverIce.Ufrag}:{_clientIce.Ufrag}"));
        writer.WritePriority(IceControllingAgent.PeerReflexivePriority);
        writer.WriteIceControlling(7);
        writer.WriteMessageIntegrity(Encoding.UTF8.GetBytes(_serverIce.Password));
        writer.WriteFingerprint();
        return buffer[..writer.Length];
    }

    public static bool SendRtp(RtcConnection connection, ushort sequenceNumber, ReadOnlySpan<byte> payload)
    {
        var packet = new byte[1500];
        int length = new RtpHeader { PayloadType = 96, SequenceNumber = sequenceNumber, Timestamp = 1234, Ssrc = 5 }.WriteTo(packet);
        payload.CopyTo(packet.AsSpan(length));
        Assert.True(packet.Length >= length + payload.Length + SrtpContext.MaxOverhead);
        return connection.SendRtp(packet, length + payload.Length);
    }
}

/// <summary>A raw TCP client that speaks (or breaks) RFC 4571 framing, to play browsers and attackers.</summary>
internal sealed class FramedClient : IDisposable
{
    private readonly Socket _socket;

    private FramedClient(Socket socket) => _socket = socket;

    public static async Task<FramedClient> ConnectAsync(IPEndPoint server, int? receiveBuffer = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBuffer is { } size)
        {
            socket.ReceiveBufferSize = size;
        }
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await socket.ConnectAsync(server);
        return new FramedClient(socket);
    }

    public Task SendFrameAsync(byte[] payload)
    {
        var frame = new byte[2 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)payload.Length);
        payload.CopyTo(frame, 2);
        return SendRawAsync(frame);
    }

    public async Task SendRawAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>The next frame's payload; null when the server closed the connection or nothing came in time.</summary>
    public async Task<byte[]?> ReadFrameAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            var header = new byte[2];
            if (!await ReadExactlyAsync(header, wait.Token))
            {
                return null;
            }
            var payload = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
            return await ReadExactlyAsync(payload, wait.Token) ? payload : null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>True when the server closes (or resets) the connection within <paramref name="timeout"/>; what it sends meanwhile is skipped.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                if (await _socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true; // reset
        }
    }

    public void Dispose() => _socket.Dispose();

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken ct)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
            if (read == 0)
            {
                return false;
            }
            filled += read;
        }
        return true;
    }
}

internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds:0.#} s for {what}");
            }
            await Task.Delay(10);
        }
    }
}
