using Mcu.Rtc.Dtls;
using Mcu.Rtc.Srtp;

namespace Mcu.Rtc.Tests.Dtls;

/// <summary>Two sessions back to back on a simulated clock (<see cref="DtlsPair"/>): no thread, no sleep.</summary>
public class DtlsSessionTests
{
    [Fact]
    public void Handshake_BothSidesConnect_AndAgreeOnProfileAndKeyingMaterial_WithoutTimePassing()
    {
        using var pair = new DtlsPair();
        pair.Start();

        Assert.True(pair.RunUntilBothSettled());

        Assert.Equal(0, pair.NowMs); // nothing lost, so nothing waited for a timer
        Assert.Equal(DtlsState.Connected, pair.Server.State);
        Assert.Equal(DtlsState.Connected, pair.Client.State);
        Assert.Null(pair.Server.FailureReason);
        // Both prefer GCM; the server takes its most preferred profile the client offers.
        Assert.Equal(SrtpProfile.AeadAes128Gcm, pair.ServerConnected.Profile);
        Assert.Equal(SrtpProfile.AeadAes128Gcm, pair.ClientConnected.Profile);
        Assert.Equal(56, pair.ServerConnected.KeyingMaterial.Length);
        Assert.Equal(pair.ServerConnected.KeyingMaterial, pair.ClientConnected.KeyingMaterial);
        Assert.Contains(pair.ServerConnected.KeyingMaterial, b => b != 0);
        // Every datagram is whole records within the MTU.
        Assert.All(pair.Sent, sent =>
        {
            Assert.InRange(sent.Data.Length, DtlsRecord.HeaderLength, DtlsSessionOptions.Default.Mtu);
            Assert.True(DtlsRecord.IsWholeRecords(sent.Data));
        });
    }

    [Fact]
    public void Handshake_TwoPairs_DeriveDifferentKeys()
    {
        using var first = new DtlsPair();
        using var second = new DtlsPair();
        first.Start();
        second.Start();

        Assert.True(first.RunUntilBothSettled());
        Assert.True(second.RunUntilBothSettled());

        Assert.NotEqual(first.ClientConnected.KeyingMaterial, second.ClientConnected.KeyingMaterial);
    }

    [Fact]
    public void Client_WithWrongServerFingerprint_FailsWithFingerprintReason_AndTellsTheServer()
    {
        string wrong = DtlsCertificate.Generate().Sha256Fingerprint;
        using var pair = new DtlsPair(clientExpects: wrong);
        pair.Start();

        Assert.True(pair.RunUntilBothSettled());

        Assert.Equal(DtlsState.Failed, pair.Client.State);
        Assert.Equal("remote certificate fingerprint does not match the SDP", pair.Client.FailureReason);
        Assert.Empty(pair.ClientEvents.OfType<DtlsEvent.Connected>());
        Assert.Equal(DtlsState.Failed, pair.Server.State);
        Assert.Equal("peer sent fatal alert bad certificate", pair.Server.FailureReason);
    }

    [Fact]
    public void Server_WithWrongClientFingerprint_FailsWithFingerprintReason_AndTellsTheClient()
    {
        string wrong = DtlsCertificate.Generate().Sha256Fingerprint;
        using var pair = new DtlsPair(serverExpects: wrong);
        pair.Start();

        Assert.True(pair.RunUntilBothSettled());

        Assert.Equal(DtlsState.Failed, pair.Server.State);
        Assert.Equal("remote certificate fingerprint does not match the SDP", pair.Server.FailureReason);
        Assert.Equal(new DtlsEvent.Failed("remote certificate fingerprint does not match the SDP"), Assert.Single(pair.ServerEvents));
        Assert.Equal(DtlsState.Failed, pair.Client.State);
        Assert.Equal("peer sent fatal alert bad certificate", pair.Client.FailureReason);
    }

    [Fact]
    public void A_fingerprint_that_does_not_parse_matches_no_certificate()
    {
        using var pair = new DtlsPair(serverExpects: "AA");
        pair.Start();

        Assert.True(pair.RunUntilBothSettled());

        Assert.Equal(DtlsState.Failed, pair.Server.State);
        Assert.Equal("remote certificate fingerprint does not match the SDP", pair.Server.FailureReason);
    }

    [Fact]
    public void Fingerprint_IsComparedCaseInsensitively()
    {
        using var pair = new DtlsPair(rewriteRealFingerprint: fingerprint => fingerprint.ToLowerInvariant());
        pair.Start();

        Assert.True(pair.RunUntilBothSettled());

        Assert.Equal(DtlsState.Connected, pair.Server.State);
        Assert.Equal(DtlsState.Connected, pair.Client.State);
    }

    [Fact]
    public void Handshake_ServerSupportingOnlyAesCm_PicksIt_And60BytesOfKeys()
    {
        var aesCmOnly = new DtlsSessionOptions { SrtpProfiles = [SrtpProfile.Aes128CmHmacSha1_80] };
        using var pair = new DtlsPair(serverOptions: aesCmOnly);
        pair.Start();

        Assert.True(pair.RunUntilBothSettled());

        Assert.Equal(SrtpProfile.Aes128CmHmacSha1_80, pair.ClientConnected.Profile);
        Assert.Equal(SrtpProfile.Aes128CmHmacSha1_80, pair.ServerConnected.Profile);
        Assert.Equal(60, pair.ClientConnected.KeyingMaterial.Length);
        Assert.Equal(pair.ServerConnected.KeyingMaterial, pair.ClientConnected.KeyingMaterial);
    }

    [Fact]
    public void Handshake_NoCommonSrtpProfile_BothFail_WithoutKeys()
    {
        var gcmOnly = new DtlsSessionOptions { SrtpProfiles = [SrtpProfile.AeadAes128Gcm] };
        var aesCmOnly = new DtlsSessionOptions { SrtpProfiles = [SrtpProfile.Aes128CmHmacSha1_80] };
        using var pair = new DtlsPair(serverOptions: gcmOnly, clientOptions: aesCmOnly);
        pair.Start();

        Assert.True(pair.RunUntilBothSettled());

        Assert.Equal(DtlsState.Failed, pair.Server.State);
        Assert.Equal("no common SRTP protection profile", pair.Server.FailureReason);
        Assert.Equal(DtlsState.Failed, pair.Client.State);
        Assert.Equal("peer did not negotiate use_srtp", pair.Client.FailureReason);
        Assert.Empty(pair.ServerEvents.OfType<DtlsEvent.Connected>());
        Assert.Empty(pair.ClientEvents.OfType<DtlsEvent.Connected>());
    }

    [Fact]
    public void A_lost_ClientHello_goes_out_again_verbatim_after_one_simulated_second_and_not_before()
    {
        bool lostOne = false;
        using var pair = new DtlsPair { Drop = (fromServer, _) => !fromServer && !lostOne && (lostOne = true) };
        pair.Start();

        Assert.True(pair.RunUntilBothSettled());

        Assert.Equal(DtlsState.Connected, pair.Client.State);
        var client = pair.Sent.Where(sent => !sent.FromServer).ToList();
        Assert.True(client[0].Dropped);
        Assert.Equal(1_000, client[1].AtMs);
        Assert.Equal(client[0].Data, client[1].Data);
        Assert.DoesNotContain(pair.Sent, sent => sent.AtMs is > 0 and < 1_000);
    }

    [Fact]
    public void A_flight_lost_again_and_again_is_resent_on_a_doubling_timer()
    {
        // The server's flight (ServerHello … ServerHelloDone) is lost until 3 s have passed.
        using var pair = new DtlsPair();
        pair.Drop = (fromServer, _) => fromServer && pair.NowMs < 3_000;
        pair.Start();

        Assert.True(pair.RunUntilBothSettled());

        Assert.Equal(DtlsState.Connected, pair.Server.State);
        Assert.Equal(DtlsState.Connected, pair.Client.State);
        var serverFlights = pair.Sent.Where(sent => sent.FromServer).Select(sent => sent.AtMs).Distinct().ToList();
        // 0: the flight; 1 s and 3 s (1 + 2): resends; 3 s is also when it gets through and the
        // final flight follows in answer to the client's.
        Assert.Equal([0L, 1_000L, 3_000L], serverFlights);
        Assert.Equal(3_000, pair.NowMs);
    }

    [Fact]
    public void A_lost_final_flight_is_resent_by_the_server_until_the_peer_proves_its_keys()
    {
        // The client's verbatim resend of its last flight reaches an OpenSSL server as replayed
        // records, which it drops: only the server's own resend can finish the handshake.
        using var pair = new DtlsPair();
        bool lostFinal = false;
        pair.Drop = (fromServer, _) => fromServer && pair.Server.State == DtlsState.Connected && !lostFinal;
        pair.Start();
        pair.Pump();
        lostFinal = true;
        Assert.Equal(DtlsState.Connected, pair.Server.State);
        Assert.Equal(DtlsState.Handshaking, pair.Client.State);
        byte[][] finalFlight = pair.Sent.Where(sent => sent.Dropped).Select(sent => sent.Data).ToArray();
        Assert.NotEmpty(finalFlight);

        Assert.True(pair.RunUntil(() => pair.Client.State == DtlsState.Connected));

        Assert.Equal(1_000, pair.NowMs);
        Assert.Equal(finalFlight, pair.Sent.Where(sent => sent.FromServer && sent.AtMs == 1_000).Select(sent => sent.Data));
        Assert.Equal(pair.ServerConnected.KeyingMaterial, pair.ClientConnected.KeyingMaterial);
        // Until the client's SRTP shows it has the keys, the server keeps resending (next at 3 s) …
        Assert.Equal(3_000, pair.Server.NextTimeoutMs);
        pair.Server.PeerProvedKeys();
        // … and then never again.
        Assert.Equal(long.MaxValue, pair.Server.NextTimeoutMs);
    }

    [Fact]
    public void Without_proof_the_server_resends_its_final_flight_five_times_and_stops()
    {
        using var pair = new DtlsPair();
        pair.Start();
        Assert.True(pair.RunUntilBothSettled());
        int sentAtConnect = pair.Sent.Count(sent => sent.FromServer);

        Assert.False(pair.RunUntil(() => false));

        var resends = pair.Sent.Where(sent => sent.FromServer).Skip(sentAtConnect).Select(sent => sent.AtMs).Distinct();
        Assert.Equal([1_000L, 3_000L, 7_000L, 15_000L, 31_000L], resends);
        Assert.Equal(DtlsState.Connected, pair.Client.State); // the copies were dropped as replays
        Assert.Equal(DtlsState.Connected, pair.Server.State);
    }

    [Fact]
    public void A_client_nobody_answers_resends_on_the_doubling_timer_and_fails_after_30_simulated_seconds()
    {
        using var pair = new DtlsPair { Drop = (_, _) => true };
        pair.Start();

        Assert.True(pair.RunUntil(() => pair.Client.State == DtlsState.Failed));

        Assert.Equal(30_000, pair.NowMs);
        Assert.Equal([0L, 1_000L, 3_000L, 7_000L, 15_000L], pair.Sent.Where(sent => !sent.FromServer).Select(sent => sent.AtMs));
        Assert.Equal("DTLS handshake timed out", pair.Client.FailureReason);
        Assert.Equal(new DtlsEvent.Failed("DTLS handshake timed out"), Assert.Single(pair.ClientEvents));
    }

    [Fact]
    public void Close_SendsCloseNotify_AndTheOtherSideCloses()
    {
        using var pair = new DtlsPair();
        pair.Start();
        Assert.True(pair.RunUntilBothSettled());
        int sent = pair.Sent.Count;

        pair.Client.Close();
        pair.Pump();

        Assert.Equal(DtlsState.Closed, pair.Client.State);
        Assert.Equal(DtlsState.Closed, pair.Server.State);
        Assert.Null(pair.Server.FailureReason);
        Assert.IsType<DtlsEvent.Closed>(pair.ServerEvents[^1]);
        var closeNotify = Assert.Single(pair.Sent.Skip(sent));
        Assert.Equal(21, closeNotify.Data[0]); // an alert record (encrypted: epoch 1)
        Assert.Equal(long.MaxValue, pair.Server.NextTimeoutMs);
    }

    [Fact]
    public void Close_BeforeStart_Closes_AndLaterInputIsRefused()
    {
        using var pair = new DtlsPair();
        pair.Server.Close();
        pair.Client.Start(0);
        Assert.True(pair.Client.TryPollOutput(new byte[2048], out int length));

        Assert.Equal(DtlsState.Closed, pair.Server.State);
        Assert.False(pair.Server.TryPollOutput(new byte[2048], out _));
        Assert.True(length > DtlsRecord.HeaderLength);
        pair.Server.Start(0);
        Assert.Equal(DtlsState.Closed, pair.Server.State);
    }
}
