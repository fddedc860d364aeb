namespace Mcu.Conference.Mixing;

/// <summary>Independent pieces of one tick's work: <see cref="Run"/> may be called for different indexes at once.</summary>
internal interface IParallelWork
{
    void Run(int index);
}

/// <summary>
/// A tick's work shared by the tick's own thread and the node's mix workers: the caller hands a
/// <see cref="ParallelBatch"/> of independent items (per-talker decodes and Opus encodes), the
/// workers and the caller take items until none are left, and the caller returns when all are
/// done. One pool per node, of one thread less than there are cores (the caller is the other),
/// shared by every room: a room whose workers are busy with another room's batch still makes
/// progress on its own thread, so no room waits on another. Nothing is allocated per batch.
/// </summary>
internal sealed class MixWorkers : IDisposable
{
    private readonly Thread[] _threads;
    private readonly Queue<(ParallelBatch Batch, int Generation)> _queue = new();
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _signal = new(0);
    private volatile bool _stopping;

    /// <summary>The node's pool: one thread per core but one.</summary>
    public static MixWorkers Shared { get; } = new(Environment.ProcessorCount - 1);

    public MixWorkers(int threads)
    {
        _threads = new Thread[Math.Max(0, threads)];
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(WorkLoop) { IsBackground = true, Name = $"mcu-mix-{i}" };
            _threads[i].Start();
        }
    }

    public int Threads => _threads.Length;

    /// <summary>
    /// Runs <paramref name="work"/> for indexes 0..<paramref name="count"/>-1, here and on the
    /// workers, and returns when every one has run. The first exception an item threw is rethrown
    /// (after the others have run).
    /// </summary>
    public void Run(ParallelBatch batch, IParallelWork work, int count)
    {
        if (count <= 0)
        {
            return;
        }
        int generation = batch.Start(work, count);
        int helpers = Math.Min(_threads.Length, count - 1);
        if (helpers > 0 && !_stopping)
        {
            lock (_lock)
            {
                for (int i = 0; i < helpers; i++)
                {
                    _queue.Enqueue((batch, generation));
                }
            }
            _signal.Release(helpers);
        }
        batch.Help(generation);
        batch.Wait();
    }

    public void Dispose()
    {
        _stopping = true;
        _signal.Release(_threads.Length);
    }

    private void WorkLoop()
    {
        while (true)
        {
            _signal.Wait();
            if (_stopping)
            {
                return;
            }
            (ParallelBatch Batch, int Generation) item;
            bool found;
            lock (_lock)
            {
                found = _queue.TryDequeue(out item);
            }
            if (found)
            {
                item.Batch.Help(item.Generation);
            }
        }
    }
}

/// <summary>
/// One caller's batch, reused from tick to tick (one per mixer). Items are handed out by a ticket
/// that carries the batch's generation, so a worker that comes late to a finished batch never
/// takes an item of the next one.
/// </summary>
internal sealed class ParallelBatch
{
    private readonly ManualResetEventSlim _done = new(false);
    private IParallelWork? _work;
    private int _count;
    private int _generation;
    private long _ticket;        // generation << 32 | next index
    private int _remaining;
    private Exception? _failure;

    internal int Start(IParallelWork work, int count)
    {
        _work = work;
        _count = count;
        _failure = null;
        _done.Reset();
        Volatile.Write(ref _remaining, count);
        int generation = ++_generation;
        Volatile.Write(ref _ticket, (long)generation << 32);
        return generation;
    }

    /// <summary>Takes items of generation <paramref name="generation"/> until none are left.</summary>
    internal void Help(int generation)
    {
        while (true)
        {
            long ticket = Volatile.Read(ref _ticket);
            int index = (int)ticket;
            if ((int)(ticket >> 32) != generation || index >= _count)
            {
                return;
            }
            if (Interlocked.CompareExchange(ref _ticket, ticket + 1, ticket) != ticket)
            {
                continue;
            }
            try
            {
                _work!.Run(index);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _done.Set();
            }
        }
    }

    internal void Wait()
    {
        _done.Wait();
        if (_failure is { } failure)
        {
            throw new AggregateException("A mix item failed", failure);
        }
    }
}
