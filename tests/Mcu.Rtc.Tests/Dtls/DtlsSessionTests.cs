using Mcu.Rtc.Dtls;
using Mcu.Rtc.Srtp;

namespace Mcu.Rtc.Tests.Dtls;

public class DtlsSessionTests
{
    /// <summary>Keeps retransmission tests short: first resend after 100 ms instead of 1 s.</summary>
    private static readonly DtlsSessionOptions FastResend = new() { HandshakeResendMillis = 100 };

    [Fact]
    public void Handshake_BothSidesConnect_AndAgreeOnProfileAndKeyingMaterial()
    {
        using var pair = new DtlsPair();
        pair.Start();

        Assert.True(pair.PumpUntilBothSettled());

        Assert.Equal(DtlsState.Connected, pair.Server.State);
        Assert.Equal(DtlsState.Connected, pair.Client.State);
        Assert.Null(pair.Server.FailureReason);
        // Both offer GCM first; the server takes the first of the client's list it supports.
        Assert.Equal(SrtpProfile.AeadAes128Gcm, pair.Server.SrtpProfile);
        Assert.Equal(pair.Server.SrtpProfile, pair.Client.SrtpProfile);
        byte[] serverKeys = pair.Server.SrtpKeyingMaterial;
        Assert.Equal(56, serverKeys.Length);
        Assert.Equal(serverKeys, pair.Client.SrtpKeyingMaterial);
        Assert.Contains(serverKeys, b => b != 0);
    }

    [Fact]
    public void Handshake_TwoPairs_DeriveDifferentKeys()
    {
        using var first = new DtlsPair();
        using var second = new DtlsPair();
        first.Start();
        second.Start();

        Assert.True(first.PumpUntilBothSettled());
        Assert.True(second.PumpUntilBothSettled());

        Assert.NotEqual(first.Client.SrtpKeyingMaterial, second.Client.SrtpKeyingMaterial);
    }

    [Fact]
    public void Client_WithWrongServerFingerprint_FailsWithFingerprintReason()
    {
        string wrong = DtlsCertificate.Generate().Sha256Fingerprint;
        using var pair = new DtlsPair(clientExpects: wrong);
        pair.Start();

        Assert.True(pair.PumpUntilBothSettled());

        Assert.Equal(DtlsState.Failed, pair.Client.State);
        Assert.Equal("remote certificate fingerprint does not match the SDP", pair.Client.FailureReason);
        Assert.Equal(DtlsState.Failed, pair.Server.State);
        Assert.Throws<InvalidOperationException>(() => pair.Client.SrtpKeyingMaterial);
    }

    [Fact]
    public void Server_WithWrongClientFingerprint_FailsWithFingerprintReason()
    {
        string wrong = DtlsCertificate.Generate().Sha256Fingerprint;
        using var pair = new DtlsPair(serverExpects: wrong);
        pair.Start();

        Assert.True(pair.PumpUntilBothSettled());

        Assert.Equal(DtlsState.Failed, pair.Server.State);
        Assert.Equal("remote certificate fingerprint does not match the SDP", pair.Server.FailureReason);
        Assert.Equal(DtlsState.Failed, pair.Client.State);
    }

    [Fact]
    public void Handshake_ServerSupportingOnlyAesCm_PicksIt_And60BytesOfKeys()
    {
        var aesCmOnly = new DtlsSessionOptions { SrtpProfiles = [SrtpProfile.Aes128CmHmacSha1_80] };
        using var pair = new DtlsPair(serverOptions: aesCmOnly);
        pair.Start();

        Assert.True(pair.PumpUntilBothSettled());

        Assert.Equal(DtlsState.Connected, pair.Client.State);
        Assert.Equal(SrtpProfile.Aes128CmHmacSha1_80, pair.Client.SrtpProfile);
        Assert.Equal(SrtpProfile.Aes128CmHmacSha1_80, pair.Server.SrtpProfile);
        Assert.Equal(60, pair.Client.SrtpKeyingMaterial.Length);
        Assert.Equal(pair.Server.SrtpKeyingMaterial, pair.Client.SrtpKeyingMaterial);
    }

    [Fact]
    public void Handshake_NoCommonSrtpProfile_ServerFails()
    {
        var gcmOnly = new DtlsSessionOptions { SrtpProfiles = [SrtpProfile.AeadAes128Gcm] };
        var aesCmOnly = new DtlsSessionOptions { SrtpProfiles = [SrtpProfile.Aes128CmHmacSha1_80] };
        using var pair = new DtlsPair(serverOptions: gcmOnly, clientOptions: aesCmOnly);
        pair.Start();

        Assert.True(pair.PumpUntilBothSettled());

        Assert.Equal(DtlsState.Failed, pair.Server.State);
        Assert.Equal("no common SRTP protection profile", pair.Server.FailureReason);
        Assert.Equal(DtlsState.Failed, pair.Client.State);
    }

    [Fact]
    public void Fingerprint_IsComparedCaseInsensitively()
    {
        using var pair = new DtlsPair(rewriteRealFingerprint: fingerprint => fingerprint.ToLowerInvariant());
        pair.Start();

        Assert.True(pair.PumpUntilBothSettled());

        Assert.Equal(DtlsState.Connected, pair.Server.State);
        Assert.Equal(DtlsState.Connected, pair.Client.State);
    }

    [Fact]
    public void DroppedClientHello_IsRetransmitted_AndHandshakeCompletes()
    {
        using var pair = new DtlsPair(serverOptions: FastResend, clientOptions: FastResend) { DropClientDatagram = n => n == 0 };
        pair.Start();

        Assert.True(pair.PumpUntilBothSettled());

        Assert.Equal(DtlsState.Connected, pair.Server.State);
        Assert.Equal(DtlsState.Connected, pair.Client.State);
        Assert.Equal(pair.Server.SrtpKeyingMaterial, pair.Client.SrtpKeyingMaterial);
        Assert.True(pair.ClientDatagramsSent > 2, "the ClientHello must have been sent again");
    }

    [Fact]
    public void PeerDispose_SendsCloseNotify_AndOtherSideCloses()
    {
        using var pair = new DtlsPair();
        pair.Start();
        Assert.True(pair.PumpUntilBothSettled());
        Assert.Equal(DtlsState.Connected, pair.Server.State);

        pair.Client.Dispose();
        Assert.True(pair.PumpUntil(() => pair.Server.State != DtlsState.Connected));

        Assert.Equal(DtlsState.Closed, pair.Client.State);
        Assert.Equal(DtlsState.Closed, pair.Server.State);
        Assert.Null(pair.Server.FailureReason);
        // Keys stay readable after close, for SRTP contexts still draining.
        Assert.Equal(56, pair.Server.SrtpKeyingMaterial.Length);
    }

    [Fact]
    public void Dispose_DuringHandshake_StopsTheThread_AndCloses()
    {
        var states = new List<DtlsState>();
        var server = new DtlsSession(DtlsRole.Server, DtlsCertificate.Generate(), "AA", () => { });
        server.StateChanged += state => { lock (states) states.Add(state); };
        server.Start();
        Assert.Equal(DtlsState.Handshaking, server.State);

        server.Dispose();

        // Dispose joins the thread, so its last transition has happened.
        Assert.Equal(DtlsState.Closed, server.State);
        lock (states)
        {
            Assert.Equal([DtlsState.Handshaking, DtlsState.Closed], states);
        }
    }

    [Fact]
    public void Dispose_BeforeStart_Closes()
    {
        var session = new DtlsSession(DtlsRole.Server, DtlsCertificate.Generate(), "AA", () => { });

        session.Dispose();

        Assert.Equal(DtlsState.Closed, session.State);
        Assert.Throws<ObjectDisposedException>(session.Start);
    }

    [Fact]
    public void Dispose_DoesNotWaitForEver_ForAHandshakeThreadThatIsStuck()
    {
        using var release = new ManualResetEventSlim(false);
        var server = new DtlsSession(DtlsRole.Server, DtlsCertificate.Generate(), "AA", () => { });
        // A listener that blocks the handshake thread on its last transition (as a stuck BC call would).
        server.StateChanged += state =>
        {
            if (state == DtlsState.Closed)
            {
                release.Wait(TimeSpan.FromSeconds(30));
            }
        };
        server.Start();

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        server.Dispose();
        stopwatch.Stop();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"Dispose took {stopwatch.Elapsed}");
        Assert.False(server.WaitForThreadExit(TimeSpan.Zero));
        release.Set();
        Assert.True(server.WaitForThreadExit(TimeSpan.FromSeconds(5)));
    }
}
