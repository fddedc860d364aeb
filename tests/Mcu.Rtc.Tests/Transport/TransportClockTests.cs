using System.Net;
using System.Net.Sockets;
using Mcu.Rtc.Dtls;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Mcu.Rtc.Tests.Transport;

/// <summary>The transport's timer loop drives DTLS resends on the transport's <see cref="TimeProvider"/>, not on the real clock.</summary>
public class TransportClockTests
{
    [Fact]
    public async Task A_server_flight_nobody_answers_goes_out_again_when_the_transports_clock_reaches_one_second()
    {
        var time = new FakeTimeProvider();
        var serverIce = IceCredentials.Generate();
        var clientIce = IceCredentials.Generate();
        var clientCertificate = DtlsCertificate.Generate();
        using var transport = new MediaTransport(new IPEndPoint(IPAddress.Loopback, 0), time);
        transport.Add(new PeerConnection(new PeerConnectionOptions
        {
            Role = PeerRole.Server, LocalIce = serverIce, RemoteIce = clientIce, Certificate = DtlsCertificate.Generate(),
            RemoteFingerprint = clientCertificate.Sha256Fingerprint, DtlsRole = DtlsRole.Server,
        }), new QuietHandler());
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var ice = new IceControllingAgent(clientIce, serverIce, transport.LocalEndPoint, 7);
        using var dtls = new DtlsSession(DtlsRole.Client, clientCertificate, "00:11");
        var buffer = new byte[2048];

        // ICE (a nominating check), then our ClientHello: the server answers with its flight.
        Assert.True(ice.TryPollTransmit(0, buffer, out int length));
        await socket.SendAsync(buffer.AsMemory(0, length), transport.LocalEndPoint);
        Assert.Equal(0x01, (await ReceiveAsync(socket, TimeSpan.FromSeconds(5)))![0]); // a Binding response
        dtls.Start(0);
        Assert.True(dtls.TryPollOutput(buffer, out length));
        await socket.SendAsync(buffer.AsMemory(0, length), transport.LocalEndPoint);
        byte[] flight = (await ReceiveAsync(socket, TimeSpan.FromSeconds(5)))!;
        Assert.Equal(22, flight[0]); // ServerHello … ServerHelloDone
        // More than a real second passes with the transport's clock standing still: nothing is resent.
        Assert.Null(await ReceiveAsync(socket, TimeSpan.FromMilliseconds(1200)));

        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Null(await ReceiveAsync(socket, TimeSpan.FromMilliseconds(100)));

        // The transport's clock reaches 1 s: the flight goes again, byte for byte.
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(flight, await ReceiveAsync(socket, TimeSpan.FromSeconds(5)));
    }

    private static async Task<byte[]?> ReceiveAsync(UdpClient socket, TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            return (await socket.ReceiveAsync(wait.Token)).Buffer;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
