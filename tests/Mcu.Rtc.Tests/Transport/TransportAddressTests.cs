using System.Net;
using System.Net.Sockets;
using Mcu.Rtc.Dtls;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Transport;

namespace Mcu.Rtc.Tests.Transport;

/// <summary>
/// A peer holding valid ICE credentials (anyone can get some from the open echo endpoint) that
/// checks from ever new ports must not grow the transport's address table without bound.
/// </summary>
public class TransportAddressTests
{
    [Fact]
    public async Task Authenticated_checks_from_twenty_ports_leave_at_most_four_addresses_learned()
    {
        var serverIce = IceCredentials.Generate();
        var clientIce = IceCredentials.Generate();
        using var transport = new MediaTransport(new IPEndPoint(IPAddress.Loopback, 0));
        var connection = transport.Add(new PeerConnection(new PeerConnectionOptions
        {
            Role = PeerRole.Server, LocalIce = serverIce, RemoteIce = clientIce,
            Certificate = DtlsCertificate.Generate(), RemoteFingerprint = DtlsCertificate.Generate().Sha256Fingerprint,
            DtlsRole = DtlsRole.Server,
        }), new QuietHandler());

        var answered = 0;
        for (int port = 0; port < 20; port++)
        {
            using var agent = new IceControllingAgent(clientIce, serverIce, transport.LocalEndPoint, 7);
            var check = new byte[IceControllingAgent.MaxRequestLength];
            Assert.True(agent.TryPollTransmit(0, check, out int length));
            using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            await socket.SendAsync(check.AsMemory(0, length), transport.LocalEndPoint);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var response = await socket.ReceiveAsync(wait.Token);
            answered += response.Buffer[0] == 0x01 && response.Buffer[1] == 0x01 ? 1 : 0; // a success response
        }

        Assert.Equal(20, answered);
        lock (connection.Addresses)
        {
            Assert.Equal(MediaTransport.MaxAddressesPerConnection, connection.Addresses.Count);
        }
    }
}
