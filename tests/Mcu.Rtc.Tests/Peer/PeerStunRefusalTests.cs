using System.Net;
using System.Text;
using Mcu.Rtc.Dtls;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Stun;

namespace Mcu.Rtc.Tests.Peer;

/// <summary>A check that fails authentication is answered and changes nothing (RFC 8445 §7.3).</summary>
public class PeerStunRefusalTests
{
    private static readonly IPEndPoint Attacker = new(IPAddress.Loopback, 40666);

    private readonly IceCredentials _server = IceCredentials.Generate();
    private readonly IceCredentials _client = IceCredentials.Generate();

    private PeerConnection Server() => new(new PeerConnectionOptions
    {
        Role = PeerRole.Server, LocalIce = _server, RemoteIce = _client, Certificate = DtlsCertificate.Generate(),
        RemoteFingerprint = DtlsCertificate.Generate().Sha256Fingerprint, DtlsRole = DtlsRole.Server,
    });

    private byte[] Check(string password)
    {
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, new byte[12]);
        writer.WriteUsername(Encoding.UTF8.GetBytes($"{_server.Ufrag}:{_client.Ufrag}"));
        writer.WritePriority(IceControllingAgent.PeerReflexivePriority);
        writer.WriteIceControlling(42);
        writer.WriteUseCandidate();
        writer.WriteMessageIntegrity(Encoding.UTF8.GetBytes(password));
        writer.WriteFingerprint();
        return buffer.AsSpan(0, writer.Length).ToArray();
    }

    [Fact]
    public void A_check_with_a_bad_message_integrity_is_refused_with_401_and_selects_nothing()
    {
        using var server = Server();

        var input = server.HandleDatagram(Check("not-the-password-at-all!"), TransportAddress.Udp(Attacker), 0, out _);

        Assert.Equal(PeerInput.Refused, input);
        var response = new byte[1500];
        Assert.True(server.TryPollTransmit(response, out int length, out var to));
        Assert.Equal(TransportAddress.Udp(Attacker), to);
        Assert.True(StunMessage.TryParse(response.AsSpan(0, length), out var message));
        Assert.True(message.TryGetErrorCode(out int code));
        Assert.Equal(StunErrorCode.Unauthorized, code);
        Assert.Null(server.RemoteEndPoint);
        Assert.Equal(PeerState.New, server.State);
    }

    [Fact]
    public void A_valid_check_is_control_input_and_selects_its_address()
    {
        using var server = Server();

        Assert.Equal(PeerInput.Control, server.HandleDatagram(Check(_server.Password), TransportAddress.Udp(Attacker), 0, out _));

        Assert.Equal(Attacker, server.RemoteEndPoint);
    }
}
