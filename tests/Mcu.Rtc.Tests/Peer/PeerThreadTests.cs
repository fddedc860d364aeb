using System.Diagnostics;

namespace Mcu.Rtc.Tests.Peer;

[CollectionDefinition(nameof(ThreadCount), DisableParallelization = true)]
public sealed class ThreadCount;

/// <summary>DTLS used to hold a thread per connection for its whole life; now a connection is only state.</summary>
[Collection(nameof(ThreadCount))]
public class PeerThreadTests
{
    [Fact]
    public void Fifty_connected_pairs_hold_no_thread_of_their_own()
    {
        var pairs = new List<PeerPair>();
        int before = Process.GetCurrentProcess().Threads.Count;
        try
        {
            for (int i = 0; i < 50; i++)
            {
                var pair = new PeerPair(seed: i);
                pairs.Add(pair);
                Assert.True(pair.RunUntil(() => pair.BothConnected));
            }

            int after = Process.GetCurrentProcess().Threads.Count;

            // A thread per DTLS session would be 100 more; allow the runtime a few of its own.
            Assert.True(after - before < 10, $"{before} threads before, {after} with 100 connected peers");
        }
        finally
        {
            pairs.ForEach(pair => pair.Dispose());
        }
    }
}
