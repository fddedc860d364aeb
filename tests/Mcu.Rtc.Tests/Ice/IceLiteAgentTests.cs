using System.Net;
using System.Text;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Stun;

namespace Mcu.Rtc.Tests.Ice;

public sealed class IceLiteAgentTests : IDisposable
{
    private static readonly IPEndPoint FirstAddress = new(IPAddress.Parse("192.0.2.10"), 50000);
    private static readonly IPEndPoint SecondAddress = new(IPAddress.Parse("2001:db8::10"), 50002);

    private readonly IceCredentials _server = IceCredentials.Generate();
    private readonly IceCredentials _client = IceCredentials.Generate();
    private readonly IceLiteAgent _agent;
    private readonly byte[] _response = new byte[IceLiteAgent.MaxResponseLength];

    public IceLiteAgentTests() => _agent = new IceLiteAgent(_server, _client);

    public void Dispose() => _agent.Dispose();

    [Fact]
    public void IceControlledPeerGets487SignedAndNothingIsSelected()
    {
        byte[] request = Request(controlled: true);

        IceInputResult result = _agent.HandleStun(request, FirstAddress, 0, _response, out int length);

        Assert.Equal(IceInputResult.RoleConflict, result);
        Assert.True(StunMessage.TryParse(_response.AsSpan(0, length), out StunMessage error));
        Assert.Equal(StunClass.ErrorResponse, error.Class);
        Assert.True(error.TryGetErrorCode(out int code));
        Assert.Equal(StunErrorCode.RoleConflict, code);
        Assert.True(error.VerifyMessageIntegrity(Encoding.UTF8.GetBytes(_server.Password)));
        Assert.True(error.VerifyFingerprint());
        Assert.False(_agent.IsConnected);
        Assert.Null(_agent.SelectedRemote);
    }

    [Fact]
    public void ControllingAgentFailsOn487()
    {
        using var bot = new IceControllingAgent(_client, _server, IcePeerPair.ServerAddress, 7);
        var request = new byte[IceControllingAgent.MaxRequestLength];
        Assert.True(bot.TryPollTransmit(0, request, out int requestLength));
        Assert.True(StunMessage.TryParse(request.AsSpan(0, requestLength), out StunMessage parsed));
        var writer = new StunMessageWriter(_response, StunMethod.Binding, StunClass.ErrorResponse, parsed.TransactionId);
        writer.WriteErrorCode(StunErrorCode.RoleConflict, "Role Conflict");
        writer.WriteMessageIntegrity(Encoding.UTF8.GetBytes(_server.Password));
        writer.WriteFingerprint();

        bot.HandleStun(writer.Written, IcePeerPair.ServerAddress, 10);

        Assert.True(bot.HasFailed);
        Assert.False(bot.TryPollTransmit(50, request, out _));
    }

    [Theory]
    [InlineData(false, true, true)]  // no USERNAME
    [InlineData(true, false, true)]  // no MESSAGE-INTEGRITY
    [InlineData(true, true, false)]  // no PRIORITY
    public void MissingRequiredAttributesGet400(bool username, bool integrity, bool priority)
    {
        byte[] request = Request(withUsername: username, withIntegrity: integrity, withPriority: priority);

        IceInputResult result = _agent.HandleStun(request, FirstAddress, 0, _response, out int length);

        Assert.Equal(IceInputResult.BadRequest, result);
        Assert.True(StunMessage.TryParse(_response.AsSpan(0, length), out StunMessage error));
        Assert.True(error.TryGetErrorCode(out int code));
        Assert.Equal(StunErrorCode.BadRequest, code);
        Assert.False(_agent.IsConnected);
    }

    [Fact]
    public void BadFingerprintIsDropped()
    {
        byte[] request = Request();
        request[^1] ^= 0x01;

        Assert.Equal(IceInputResult.Dropped, _agent.HandleStun(request, FirstAddress, 0, _response, out int length));
        Assert.Equal(0, length);
    }

    [Fact]
    public void IndicationsAndResponsesAreDropped()
    {
        foreach (StunClass cls in new[] { StunClass.Indication, StunClass.SuccessResponse, StunClass.ErrorResponse })
        {
            byte[] message = Request(cls: cls);
            Assert.Equal(IceInputResult.Dropped, _agent.HandleStun(message, FirstAddress, 0, _response, out int length));
            Assert.Equal(0, length);
        }
    }

    [Fact]
    public void FirstValidatedAddressIsSelectedUntilANominationMovesIt()
    {
        Assert.Equal(IceInputResult.Responded, _agent.HandleStun(Request(useCandidate: false), FirstAddress, 0, _response, out _));
        Assert.Equal(FirstAddress, _agent.SelectedRemote);
        Assert.False(_agent.IsConnected);
        Assert.False(_agent.IsConsentExpired(100_000));

        Assert.Equal(IceInputResult.Responded, _agent.HandleStun(Request(useCandidate: false), SecondAddress, 10, _response, out _));
        Assert.Equal(FirstAddress, _agent.SelectedRemote);

        Assert.Equal(IceInputResult.Nominated, _agent.HandleStun(Request(), SecondAddress, 20, _response, out int length));
        Assert.Equal(SecondAddress, _agent.SelectedRemote);
        Assert.True(_agent.IsConnected);
        Assert.True(StunMessage.TryParse(_response.AsSpan(0, length), out StunMessage response));
        Assert.True(response.TryGetXorMappedAddress(out IPEndPoint mapped));
        Assert.Equal(SecondAddress, mapped);

        // Repeated nomination of the same address is just a check.
        Assert.Equal(IceInputResult.Responded, _agent.HandleStun(Request(), SecondAddress, 30, _response, out _));
        // Checks from another address do not refresh consent of the selected pair.
        Assert.Equal(IceInputResult.Responded, _agent.HandleStun(Request(useCandidate: false), FirstAddress, 20_000, _response, out _));
        Assert.False(_agent.IsConsentExpired(30_029));
        Assert.True(_agent.IsConsentExpired(30_030));
        Assert.Equal(IceInputResult.Nominated, _agent.HandleStun(Request(), FirstAddress, 40_000, _response, out _));
        Assert.False(_agent.IsConsentExpired(40_000));
    }

    [Fact]
    public void The_same_ip_and_port_over_tcp_is_another_path_a_nomination_there_moves_media_to_tcp()
    {
        var overTcp = TransportAddress.Tcp(FirstAddress);
        Assert.Equal(IceInputResult.Nominated, _agent.HandleStun(Request(), FirstAddress, 0, _response, out _));
        Assert.Equal(TransportAddress.Udp(FirstAddress), _agent.SelectedAddress);

        // A check over TCP (no nomination) neither moves the path nor refreshes the UDP pair's consent.
        Assert.Equal(IceInputResult.Responded, _agent.HandleStun(Request(useCandidate: false), overTcp, 20_000, _response, out _));
        Assert.Equal(TransportProtocol.Udp, _agent.SelectedAddress!.Protocol);
        Assert.True(_agent.IsConsentExpired(30_000));

        Assert.Equal(IceInputResult.Nominated, _agent.HandleStun(Request(), overTcp, 25_000, _response, out _));
        Assert.Equal(overTcp, _agent.SelectedAddress);
        Assert.Equal(FirstAddress, _agent.SelectedRemote);
        Assert.False(_agent.IsConsentExpired(30_000));
    }

    [Fact]
    public void ConsentChecksOnTheSelectedPairDoNotAllocate()
    {
        byte[] request = Request();
        Assert.Equal(IceInputResult.Nominated, _agent.HandleStun(request, FirstAddress, 0, _response, out _));
        _agent.HandleStun(request, FirstAddress, 1, _response, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            _agent.HandleStun(request, FirstAddress, i, _response, out _);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void SelectedRemoteIsACopyOfTheCallersEndPoint()
    {
        var reused = new IPEndPoint(IPAddress.Parse("192.0.2.10"), 50000);
        _agent.HandleStun(Request(), reused, 0, _response, out _);
        reused.Port = 1;

        Assert.Equal(50000, _agent.SelectedRemote!.Port);
    }

    [Fact]
    public void ReadsLocalUfragForDemultiplexing()
    {
        Assert.True(IceLiteAgent.TryReadLocalUfrag(Request(), out ReadOnlySpan<byte> ufrag));
        Assert.Equal(_server.Ufrag, Encoding.UTF8.GetString(ufrag));
        Assert.True(IceLiteAgent.TryReadLocalUfrag(Stun.Rfc5769Vectors.Request, out ufrag));
        Assert.Equal("evtj", Encoding.UTF8.GetString(ufrag));

        Assert.False(IceLiteAgent.TryReadLocalUfrag(Request(withUsername: false), out _));
        Assert.False(IceLiteAgent.TryReadLocalUfrag(Request(username: "nocolon"), out _));
        Assert.False(IceLiteAgent.TryReadLocalUfrag(Request(username: ":remote"), out _));
        Assert.False(IceLiteAgent.TryReadLocalUfrag(Stun.Rfc5769Vectors.Request.AsSpan(0, 40), out _));
    }

    [Fact]
    public void TruncatedAndRandomInputIsDroppedWithoutAnswer()
    {
        byte[] valid = Request();
        for (int length = 0; length < valid.Length; length++)
        {
            Assert.Equal(IceInputResult.Dropped, _agent.HandleStun(valid.AsSpan(0, length), FirstAddress, 0, _response, out int responseLength));
            Assert.Equal(0, responseLength);
        }

        var random = new Random(8445);
        var datagram = new byte[160];
        for (int i = 0; i < 10_000; i++)
        {
            Span<byte> input = datagram.AsSpan(0, random.Next(datagram.Length + 1));
            random.NextBytes(input);
            if (i % 2 == 0)
            {
                valid.AsSpan(0, Math.Min(valid.Length, input.Length / 2)).CopyTo(input);
            }
            IceInputResult result = _agent.HandleStun(input, FirstAddress, 0, _response, out _);
            Assert.True(result is IceInputResult.Dropped or IceInputResult.BadRequest, $"iteration {i}: {result}");
        }
        Assert.False(_agent.IsConnected);
        Assert.Null(_agent.SelectedRemote);
    }

    [Fact]
    public void ControllingAgentIgnoresForgedOrMisdirectedResponses()
    {
        using var bot = new IceControllingAgent(_client, _server, IcePeerPair.ServerAddress, 7);
        var request = new byte[IceControllingAgent.MaxRequestLength];
        Assert.True(bot.TryPollTransmit(0, request, out int requestLength));
        Assert.Equal(IceInputResult.Nominated, _agent.HandleStun(request.AsSpan(0, requestLength), FirstAddress, 0, _response, out int length));
        byte[] response = _response.AsSpan(0, length).ToArray();

        bot.HandleStun(response, new IPEndPoint(IPAddress.Parse("192.0.2.99"), 3478), 0);   // wrong source
        Assert.False(bot.IsConnected);
        byte[] otherTransaction = (byte[])response.Clone();
        otherTransaction[10] ^= 1;
        bot.HandleStun(otherTransaction, IcePeerPair.ServerAddress, 0);
        Assert.False(bot.IsConnected);
        using var impostor = new IceLiteAgent(_server with { Password = "impostorimpostorimpostor" }, _client);
        impostor.HandleStun(request.AsSpan(0, requestLength), FirstAddress, 0, _response, out length);
        bot.HandleStun(_response.AsSpan(0, length), IcePeerPair.ServerAddress, 0);         // wrong MI
        Assert.False(bot.IsConnected);
        var random = new Random(1);
        for (int i = 0; i < 1_000; i++)
        {
            byte[] junk = new byte[random.Next(100)];
            random.NextBytes(junk);
            bot.HandleStun(junk, IcePeerPair.ServerAddress, 0);
            bot.HandleStun(response.AsSpan(0, random.Next(response.Length)), IcePeerPair.ServerAddress, 0);
        }
        Assert.False(bot.IsConnected);

        bot.HandleStun(response, IcePeerPair.ServerAddress, 0);
        Assert.True(bot.IsConnected);
    }

    [Fact]
    public void GeneratedCredentialsAreIceCharsOfTheRequiredLength()
    {
        IceCredentials a = IceCredentials.Generate();
        IceCredentials b = IceCredentials.Generate();

        Assert.True(a.Ufrag.Length >= 4);
        Assert.True(a.Password.Length >= 22);
        const string iceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        Assert.All(a.Ufrag + a.Password, c => Assert.Contains(c, iceChars));
        Assert.NotEqual(a.Password, b.Password);
        Assert.NotEqual(a.Ufrag, b.Ufrag);
    }

    private byte[] Request(
        bool controlled = false, bool useCandidate = true, bool withUsername = true, bool withIntegrity = true,
        bool withPriority = true, string? username = null, StunClass cls = StunClass.Request)
    {
        var buffer = new byte[128];
        byte[] transactionId = new byte[12];
        Random.Shared.NextBytes(transactionId);
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, cls, transactionId);
        if (withUsername)
        {
            writer.WriteUsername(Encoding.UTF8.GetBytes(username ?? $"{_server.Ufrag}:{_client.Ufrag}"));
        }
        if (withPriority)
        {
            writer.WritePriority(IceControllingAgent.PeerReflexivePriority);
        }
        if (controlled)
        {
            writer.WriteIceControlled(42);
        }
        else
        {
            writer.WriteIceControlling(42);
        }
        if (useCandidate)
        {
            writer.WriteUseCandidate();
        }
        if (withIntegrity)
        {
            writer.WriteMessageIntegrity(Encoding.UTF8.GetBytes(_server.Password));
        }
        writer.WriteFingerprint();
        return writer.Written.ToArray();
    }
}
