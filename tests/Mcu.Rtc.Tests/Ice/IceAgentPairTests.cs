using Mcu.Rtc.Ice;
using Mcu.Rtc.Stun;

namespace Mcu.Rtc.Tests.Ice;

public class IceAgentPairTests
{
    [Fact]
    public void ConnectsAndNominatesWithTheFirstCheck()
    {
        using var pair = new IcePeerPair();
        pair.RunUntil(0);

        Assert.True(pair.Client.IsConnected);
        Assert.True(pair.Server.IsConnected);
        Assert.Equal(IcePeerPair.ClientAddress, pair.Server.SelectedRemote);
        Assert.Single(pair.Requests);
        Assert.Equal(IceInputResult.Nominated, pair.ServerResults[0].Result);
        Assert.Equal(IceControllingAgent.ConsentIntervalMs, pair.Client.NextTimeoutMs);
    }

    [Fact]
    public void ServerAnswerCarriesMappedAddressSignedWithServerPassword()
    {
        using var pair = new IcePeerPair();
        pair.RunUntil(0);

        byte[] response = pair.ServerResults[0].Response;
        Assert.True(StunMessage.TryParse(response, out StunMessage message));
        Assert.Equal(StunClass.SuccessResponse, message.Class);
        Assert.True(StunMessage.TryParse(pair.Requests[0].Datagram, out StunMessage request));
        Assert.True(request.TransactionId.SequenceEqual(message.TransactionId));
        Assert.True(message.TryGetXorMappedAddress(out var mapped));
        Assert.Equal(IcePeerPair.ClientAddress, mapped);
        Assert.True(message.VerifyMessageIntegrity(System.Text.Encoding.UTF8.GetBytes(pair.ServerCredentials.Password)));
        Assert.True(message.VerifyFingerprint());
    }

    [Fact]
    public void ClientRequestCarriesIceAttributes()
    {
        using var pair = new IcePeerPair();
        pair.RunUntil(0);

        Assert.True(StunMessage.TryParse(pair.Requests[0].Datagram, out StunMessage request));
        Assert.Equal(StunClass.Request, request.Class);
        Assert.True(request.TryGetUsername(out ReadOnlySpan<byte> username));
        Assert.Equal($"{pair.ServerCredentials.Ufrag}:{pair.ClientCredentials.Ufrag}", System.Text.Encoding.UTF8.GetString(username));
        Assert.True(request.HasUseCandidate);
        Assert.True(request.TryGetIceControlling(out ulong tieBreaker));
        Assert.Equal(0x0123456789abcdeful, tieBreaker);
        Assert.True(request.TryGetPriority(out uint priority));
        Assert.Equal(IceControllingAgent.PeerReflexivePriority, priority);
        Assert.True(request.VerifyMessageIntegrity(System.Text.Encoding.UTF8.GetBytes(pair.ServerCredentials.Password)));
        Assert.True(request.VerifyFingerprint());
    }

    [Fact]
    public void LostRequestsAreRetransmittedEvery50MsWithTheSameTransaction()
    {
        using var pair = new IcePeerPair { LoseRequest = n => n <= 2 };
        pair.RunUntil(1_000);

        Assert.True(pair.Client.IsConnected);
        Assert.True(pair.Server.IsConnected);
        Assert.Equal([0L, 50L, 100L], pair.Requests.Take(3).Select(r => r.TimeMs));
        byte[] transaction = pair.Requests[0].Datagram.AsSpan(8, 12).ToArray();
        Assert.All(pair.Requests.Take(3), r => Assert.Equal(transaction, r.Datagram.AsSpan(8, 12).ToArray()));
        Assert.Equal(3, pair.Requests.Count);
    }

    [Fact]
    public void LostResponsesAreRetransmittedToo()
    {
        using var pair = new IcePeerPair { LoseResponses = true };
        pair.RunUntil(120);
        Assert.False(pair.Client.IsConnected);
        Assert.Equal(3, pair.Requests.Count);

        pair.LoseResponses = false;
        pair.RunUntil(1_000);
        Assert.True(pair.Client.IsConnected);
        Assert.Equal(4, pair.Requests.Count);
    }

    [Fact]
    public void ConsentChecksKeepBothSidesAliveAtJitteredIntervals()
    {
        using var pair = new IcePeerPair();
        pair.RunUntil(120_000);

        Assert.True(pair.Client.IsConnected);
        Assert.False(pair.Client.HasFailed);
        Assert.False(pair.Server.IsConsentExpired(pair.NowMs));
        long[] gaps = pair.Requests.Zip(pair.Requests.Skip(1), (a, b) => b.TimeMs - a.TimeMs).ToArray();
        Assert.True(gaps.Length >= 40);
        Assert.All(gaps, gap => Assert.InRange(gap, 2_000, 3_000));
        Assert.True(gaps.Distinct().Count() > 1, "consent intervals should be randomised");
        // Each consent check is a new transaction.
        Assert.Equal(pair.Requests.Count, pair.Requests.Select(r => Convert.ToHexString(r.Datagram, 8, 12)).Distinct().Count());
        Assert.All(pair.ServerResults.Skip(1), r => Assert.Equal(IceInputResult.Responded, r.Result));
    }

    [Fact]
    public void ConsentExpiresOnBothSidesAfter30SecondsOfSilence()
    {
        using var pair = new IcePeerPair();
        pair.RunUntil(10_000);
        long lastCheck = pair.ServerResults[^1].TimeMs;
        Assert.Equal(lastCheck, pair.LastResponseDeliveredMs);

        pair.LoseRequest = _ => true;
        pair.RunUntil(lastCheck + 29_999);
        Assert.False(pair.Server.IsConsentExpired(pair.NowMs));
        Assert.True(pair.Client.IsConnected);

        pair.RunUntil(lastCheck + 30_000);
        Assert.True(pair.Server.IsConsentExpired(pair.NowMs));
        Assert.True(pair.Client.HasFailed);
        Assert.False(pair.Client.IsConnected);
        Assert.Equal(long.MaxValue, pair.Client.NextTimeoutMs);
    }

    [Fact]
    public void ClientGivesUpWhenTheServerNeverAnswers()
    {
        using var pair = new IcePeerPair { LoseRequest = _ => true };
        pair.RunUntil(60_000);

        Assert.True(pair.Client.HasFailed);
        Assert.Equal(IceControllingAgent.MaxCheckTransmissions, pair.Requests.Count);
        Assert.Equal(IceControllingAgent.MaxCheckTransmissions * IceControllingAgent.CheckIntervalMs, pair.ClientFailedAtMs);
    }

    [Fact]
    public void WrongPasswordIsAnswered401AndNeverConnects()
    {
        using var pair = new IcePeerPair(clientViewOfServer: server => server with { Password = "wrongwrongwrongwrongwrong" });
        pair.RunUntil(1_000);

        Assert.NotEmpty(pair.ServerResults);
        Assert.All(pair.ServerResults, r => Assert.Equal(IceInputResult.Unauthorized, r.Result));
        Assert.True(StunMessage.TryParse(pair.ServerResults[0].Response, out StunMessage error));
        Assert.Equal(StunClass.ErrorResponse, error.Class);
        Assert.True(error.TryGetErrorCode(out int code));
        Assert.Equal(StunErrorCode.Unauthorized, code);
        Assert.False(error.HasMessageIntegrity);
        Assert.True(error.VerifyFingerprint());
        // The unsigned 401 could be forged, so the client keeps trying rather than failing at once.
        Assert.False(pair.Client.IsConnected);
        Assert.False(pair.Client.HasFailed);
        Assert.False(pair.Server.IsConnected);
        Assert.Null(pair.Server.SelectedRemote);
    }

    [Fact]
    public void WrongUfragIsDroppedSilently()
    {
        using var pair = new IcePeerPair(clientViewOfServer: server => server with { Ufrag = server.Ufrag + "x" });
        pair.RunUntil(1_000);

        Assert.NotEmpty(pair.ServerResults);
        Assert.All(pair.ServerResults, r => Assert.Equal(IceInputResult.Dropped, r.Result));
        Assert.All(pair.ServerResults, r => Assert.Empty(r.Response));
        Assert.False(pair.Client.IsConnected);
        Assert.False(pair.Server.IsConnected);
    }
}
