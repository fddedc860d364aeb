using Mcu.Rtc.Stun;
using Mcu.Server.Rtc;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>
/// The ufrag is no secret (every STUN check carries it in the clear). A stranger who names a
/// session's ufrag with a wrong MESSAGE-INTEGRITY gets a 401 and nothing else: its address
/// does not become the session's, so what it sends next is dropped as from an unknown source.
/// </summary>
public sealed class TransportStunTests : IClassFixture<TransportServerFixture>
{
    private readonly TransportServerFixture _server;

    public TransportStunTests(TransportServerFixture server) => _server = server;

    [Fact]
    public async Task A_check_with_a_bad_message_integrity_gets_401_and_its_port_is_not_learned()
    {
        using var http = _server.CreateClient();
        await using var bystanders = await Bystanders.JoinAsync(http, _server.BaseAddress, "stun-attack", TransportServerFixture.AdminKey);
        var counters = _server.Services.GetRequiredService<RtcHost>().Transport.Counters;
        var victim = bystanders.Red.Client;
        string username = $"{victim.Answer.RemoteIceUfrag}:{victim.Connection.Peer.LocalUfrag}";
        var server = victim.Connection.Peer.RemoteCandidate!.EndPoint;
        using var attacker = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));

        for (int round = 0; round < 20; round++)
        {
            long refusedBefore = counters.RefusedChecks;
            long unknownBefore = counters.DroppedUnknownSource;
            attacker.Send(TransportRawPeer.BindingRequest(username, "a-guess-at-the-password!"), server);
            Assert.Equal(StunErrorCode.Unauthorized, await StunCode(attacker, TimeSpan.FromSeconds(2)));

            // Were the port learned, this request (no USERNAME) would reach the victim's session
            // and be answered 400. From an unknown address it is dropped without an answer.
            attacker.Send(BareBindingRequest(), server);
            Assert.Null(await StunCode(attacker, TimeSpan.FromMilliseconds(300)));
            Assert.True(counters.DroppedUnknownSource > unknownBefore, "the follow-up was not dropped as from an unknown source");
            Assert.Equal(refusedBefore + 1, counters.RefusedChecks);
        }

        Assert.True(victim.Connection.Peer.State == Mcu.Rtc.Peer.PeerState.Connected);
        await bystanders.AssertUnharmedAsync();
    }

    private static async Task<int?> StunCode(System.Net.Sockets.UdpClient socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var result = await socket.ReceiveAsync(cts.Token);
            return TransportRawPeer.ResponseCode(result.Buffer);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static byte[] BareBindingRequest()
    {
        var buffer = new byte[64];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, new byte[12]);
        writer.WriteFingerprint();
        return buffer.AsSpan(0, writer.Length).ToArray();
    }
}
