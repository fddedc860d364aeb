using System.Diagnostics;
using Mcu.EndToEnd.Tests.Recording;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>SIGTERM with many sessions open in every state: the process is gone within 5 s.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Sigterm_with_hundreds_of_pending_sessions_exits_within_5_seconds()
    {
        string folder = Directory.CreateTempSubdirectory("mcu-shutdown-").FullName;
        using var server = await ServerProcess.StartAsync(folder, "--Mcu:Echo:MaxSessions=1000");
        using var http = server.CreateClient();
        var echo = new Uri(server.BaseAddress, "/api/echo/whip");
        var peers = new List<TransportRawPeer>();
        var bots = new List<ParticipantBot>();
        try
        {
            // Offers that never connect, offers whose ICE completes and whose DTLS never starts
            // (a DTLS session each, waiting for a ClientHello), and real connected participants.
            for (int i = 0; i < 250; i++)
            {
                peers.Add(await TransportRawPeer.OfferAsync(http, echo));
            }
            for (int i = 0; i < 300; i++)
            {
                // Half with the server as DTLS client: it sends ClientHellos nobody answers.
                var peer = await TransportRawPeer.OfferAsync(http, echo, passive: i % 2 == 0);
                peer.CompleteIce();
                Assert.Equal(0, await peer.ReceiveStunResponseAsync(TimeSpan.FromSeconds(5)));
                peers.Add(peer);
            }
            for (int i = 0; i < 100; i++)
            {
                // And handshakes left after the ClientHello: the server's DTLS session mid-handshake.
                var peer = await TransportRawPeer.OfferAsync(http, echo);
                await peer.StallDtlsAsync();
                peers.Add(peer);
            }
            for (int i = 0; i < 3; i++)
            {
                bots.Add(await ParticipantBot.JoinAsync(http, server.Whip("stopping", $"bot{i}"),
                    new BotOptions { Name = $"bot{i}", DecodeVideo = false }));
            }
            await Task.Delay(1000);

            var stopwatch = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", server.Process.Id.ToString()]))
            {
                kill.WaitForExit();
                Assert.Equal(0, kill.ExitCode);
            }
            bool exited = server.Process.WaitForExit(TimeSpan.FromSeconds(5));
            stopwatch.Stop();
            Assert.True(exited, $"the server still runs {stopwatch.Elapsed.TotalSeconds:0.0} s after SIGTERM with {peers.Count} pending sessions and {bots.Count} participants");
        }
        finally
        {
            foreach (var peer in peers)
            {
                peer.Dispose();
            }
            foreach (var bot in bots)
            {
                await bot.DisposeAsync();
            }
            Directory.Delete(folder, recursive: true);
        }
    }
}
