using System.Net;
using System.Net.Sockets;
using Mcu.Rtc.Client;
using Mcu.Rtc.Ice;
using Mcu.Server.Rtc;
using Mcu.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.Server.Tests.Rtc;

/// <summary>Mcu:TcpPort: by default the UDP port's number, offered as a passive TCP candidate; 0 turns ICE-TCP off.</summary>
public sealed class IceTcpSettingsTests
{
    private const string AdminKey = "ice-tcp-settings-key";

    private static WebApplication Build(params string[] settings) => McuApp.Build([
        "--urls=http://127.0.0.1:0", "--Mcu:UdpBind=127.0.0.1", $"--Mcu:AdminKey={AdminKey}",
        "--Logging:LogLevel:Default=Warning", .. settings]);

    [Fact]
    public async Task By_default_tcp_listens_on_the_udp_ports_number_and_a_client_joins_over_it()
    {
        int port = FreePortForBoth();
        await using var app = Build($"--Mcu:UdpPort={port}");
        await app.StartAsync();
        var transport = app.Services.GetRequiredService<RtcHost>().Transport;
        Assert.Equal(port, transport.LocalEndPoint.Port);
        Assert.Equal(port, transport.TcpLocalEndPoint!.Port);

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        await using var bot = await ParticipantBot.JoinAsync(http, new Uri(http.BaseAddress, "/api/rooms/tcp/whip?name=tcp"),
            new BotOptions { Name = "tcp", BearerToken = AdminKey, Protocol = TransportProtocol.Tcp });
        var candidates = bot.Client.Answer.RemoteCandidates;
        Assert.Contains(candidates, c => c.IsUdp && c.Port == port);
        Assert.Contains(candidates, c => c.IsTcp && c.Port == port && c.TcpType == "passive");
        Assert.Equal(TransportProtocol.Tcp, bot.Client.Connection.Protocol);
        Assert.Equal(1, transport.TcpConnectionCount);
        Assert.Equal(1, transport.Counters.TcpAccepted);
        string metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("\nmcu_tcp_connections 1\n", metrics);
        Assert.Contains("mcu_tcp_connections_closed", metrics);
    }

    [Fact]
    public async Task Tcp_port_zero_offers_no_tcp_candidate_and_listens_nowhere()
    {
        await using var app = Build("--Mcu:UdpPort=0", "--Mcu:TcpPort=0");
        await app.StartAsync();
        Assert.Null(app.Services.GetRequiredService<RtcHost>().Transport.TcpLocalEndPoint);

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var refused = await Assert.ThrowsAsync<WhipException>(() => WhipClient.ConnectAsync(http, new Uri(http.BaseAddress, "/api/echo/whip"),
            new NoMedia(), new WhipClientOptions { Protocol = TransportProtocol.Tcp }));
        Assert.Contains("no passive TCP candidate", refused.Message);
        await using var udp = await WhipClient.ConnectAsync(http, new Uri(http.BaseAddress, "/api/echo/whip"), new NoMedia());
        Assert.All(udp.Answer.RemoteCandidates, c => Assert.True(c.IsUdp));
    }

    /// <summary>A port number free for UDP and TCP both, at least a moment ago.</summary>
    private static int FreePortForBoth()
    {
        for (int attempt = 0; ; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
                // taken for TCP: another
            }
        }
    }

    private sealed class NoMedia : Mcu.Rtc.Transport.IRtcConnectionHandler
    {
        public void OnStateChanged(Mcu.Rtc.Transport.RtcConnection connection, Mcu.Rtc.Peer.PeerState state) { }
        public void OnRtp(Mcu.Rtc.Transport.RtcConnection connection, Span<byte> packet) { }
        public void OnRtcp(Mcu.Rtc.Transport.RtcConnection connection, Span<byte> packet) { }
    }
}
