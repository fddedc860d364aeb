namespace Mcu.Conference.Send;

/// <summary>
/// Paces the video of every participant of every room from one thread. A room's video tick
/// hands each encoded frame to its subscribers' <see cref="SendQueue"/>s and returns; this
/// sends a small frame at once, and a large one (a keyframe) in rounds about a millisecond
/// apart over at most <see cref="PacedFrame.MaxRounds"/> ms, so it does not hit the receivers'
/// links (and their routers' queues) as one burst of dozens of packets.
/// </summary>
/// <remarks>
/// One thread for all peers rather than the transport's 20 ms timer, which is too coarse for
/// millisecond rounds. It waits on its own event, not a thread-pool timer, so a busy pool cannot
/// delay a round, and reads the time from its <see cref="TimeProvider"/>. <see cref="Drain"/> is the whole of
/// its work, and tests call it on a clock of their own without the thread.
/// </remarks>
public sealed class VideoPacer : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly List<SendQueue> _scheduled = [];
    private readonly List<SendQueue> _draining = [];   // the pacer thread's copy, reused
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Thread? _thread;
    private volatile bool _stopping;

    /// <summary>A pacer with its own thread, on <paramref name="time"/> (default: the system clock).</summary>
    public VideoPacer(TimeProvider? time = null)
        : this(time ?? TimeProvider.System, startThread: true)
    {
    }

    internal VideoPacer(TimeProvider time, bool startThread)
    {
        _time = time;
        if (startThread)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "video pacer" };
            _thread.Start();
        }
    }

    internal long NowMs => _time.GetTimestamp() * 1000 / _time.TimestampFrequency;

    /// <summary>Puts a queue that just got a frame on the list, and wakes the pacer for its first round.</summary>
    internal void Schedule(SendQueue queue)
    {
        lock (_lock)
        {
            _scheduled.Add(queue);
        }
        _wake.Set();
    }

    /// <summary>
    /// Sends what is due by <paramref name="nowMs"/> from every scheduled queue; returns when the
    /// next round is due, or <see cref="long.MaxValue"/> when nothing waits. One caller at a time.
    /// </summary>
    internal long Drain(long nowMs)
    {
        _draining.Clear();
        lock (_lock)
        {
            _draining.AddRange(_scheduled);
        }
        long next = long.MaxValue;
        foreach (var queue in _draining)
        {
            long due;
            try
            {
                due = queue.Drain(nowMs);
            }
            catch (Exception)
            {
                // A sink that throws (a bug; participants report their own) must not stop every
                // other room's video. The packets in hand are gone; the queue goes on next round.
                due = nowMs + 1;
            }
            if (due == long.MaxValue)
            {
                lock (_lock)
                {
                    _scheduled.Remove(queue);
                }
            }
            next = Math.Min(next, due);
        }
        return next;
    }

    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        _thread?.Join(TimeSpan.FromSeconds(2));
    }

    private void Run()
    {
        while (!_stopping)
        {
            _wake.Reset();
            long next = Drain(NowMs);
            if (next == long.MaxValue)
            {
                _wake.Wait();
                continue;
            }
            long wait = next - NowMs;
            if (wait > 0)
            {
                _wake.Wait(TimeSpan.FromMilliseconds(wait));
            }
        }
    }
}
