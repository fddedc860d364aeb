using Mcu.Conference.Mixing;

namespace Mcu.Conference.Tests.Mixing;

/// <summary>The node's mix workers: every item of a batch runs once, on more than one thread, and batches of two rooms never mix.</summary>
public class MixWorkersTests
{
    private sealed class CountingWork(int count) : IParallelWork
    {
        public readonly int[] Runs = new int[count];
        public readonly HashSet<int> Threads = [];

        public void Run(int index)
        {
            Interlocked.Increment(ref Runs[index]);
            lock (Threads)
            {
                Threads.Add(Environment.CurrentManagedThreadId);
            }
            Thread.SpinWait(20_000);
        }
    }

    [Fact]
    public void Every_item_runs_exactly_once_and_the_work_is_shared()
    {
        using var workers = new MixWorkers(3);
        var batch = new ParallelBatch();
        var seen = new HashSet<int>();
        for (int tick = 0; tick < 200; tick++)
        {
            var work = new CountingWork(1 + tick % 40);
            workers.Run(batch, work, work.Runs.Length);
            Assert.All(work.Runs, r => Assert.Equal(1, r));
            seen.UnionWith(work.Threads);
        }
        Assert.True(seen.Count > 1, "only the caller ever ran items");
    }

    [Fact]
    public void Two_callers_at_once_each_get_all_their_own_items_and_none_of_the_others()
    {
        using var workers = new MixWorkers(1);
        var failures = 0;
        var callers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            var batch = new ParallelBatch();
            for (int tick = 0; tick < 300; tick++)
            {
                var work = new CountingWork(1 + tick % 7);
                workers.Run(batch, work, work.Runs.Length);
                if (work.Runs.Any(r => r != 1))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToList();
        callers.ForEach(t => t.Start());
        callers.ForEach(t => t.Join());
        Assert.Equal(0, failures);
    }

    private sealed class ThrowingWork : IParallelWork
    {
        public int Ran;

        public void Run(int index)
        {
            Interlocked.Increment(ref Ran);
            if (index == 2)
            {
                throw new InvalidOperationException("item 2");
            }
        }
    }

    [Fact]
    public void An_item_that_throws_does_not_stop_the_others_and_the_caller_hears_of_it()
    {
        using var workers = new MixWorkers(1);
        var work = new ThrowingWork();
        var e = Assert.Throws<AggregateException>(() => workers.Run(new ParallelBatch(), work, 10));
        Assert.Equal("item 2", e.InnerException!.Message);
        Assert.Equal(10, work.Ran);
    }
}
