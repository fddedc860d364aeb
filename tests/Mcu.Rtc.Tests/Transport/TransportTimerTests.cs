using System.Net;
using Mcu.Rtc.Dtls;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Transport;

namespace Mcu.Rtc.Tests.Transport;

/// <summary>The transport's one timer loop serves every connection: one that throws must not stop it.</summary>
public class TransportTimerTests
{
    private static PeerConnection ServerPeer(TimeSpan setupTimeout) => new(new PeerConnectionOptions
    {
        Role = PeerRole.Server, LocalIce = IceCredentials.Generate(), RemoteIce = IceCredentials.Generate(),
        Certificate = DtlsCertificate.Generate(), RemoteFingerprint = DtlsCertificate.Generate().Sha256Fingerprint,
        DtlsRole = DtlsRole.Server, SetupTimeout = setupTimeout,
    });

    [Fact]
    public async Task A_connection_whose_timeout_throws_does_not_stop_the_timers_of_the_others()
    {
        using var transport = new MediaTransport(new IPEndPoint(IPAddress.Loopback, 0));
        // The first one times out first, and something listening to it throws, on the timer loop.
        var throwing = ServerPeer(TimeSpan.FromMilliseconds(100));
        transport.Add(throwing, new QuietHandler());
        throwing.StateChanged += state => throw new InvalidOperationException("a buggy listener");
        var other = ServerPeer(TimeSpan.FromMilliseconds(600));
        transport.Add(other, new QuietHandler());

        // The other one's set-up timeout still fires (a dead timer loop would leave it New for ever).
        var deadline = DateTime.UtcNow.AddSeconds(5);
        // Both are waited for: which one the loop reaches first is the scheduler's business.
        while ((other.State != PeerState.Failed || throwing.State != PeerState.Failed) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.Equal(PeerState.Failed, throwing.State);
        Assert.Equal(PeerState.Failed, other.State);
        Assert.Contains("0.6 s", other.FailureReason);
        Assert.Equal(0, transport.ConnectionCount);
    }
}
