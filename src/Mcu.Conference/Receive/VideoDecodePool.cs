namespace Mcu.Conference.Receive;

/// <summary>
/// A room's own few threads that decode its participants' video. A receiver with frames
/// waiting is scheduled here; a thread decodes one frame of it and puts it at the back of
/// the line if more wait, so the room's senders take turns and one sender's frames are
/// decoded in order, one at a time.
/// </summary>
/// <remarks>
/// Not the .NET thread pool: the transport's receive loop runs there, and a decoder that
/// blocks (or many that are busy) would hold up every room's packets. Not a thread per
/// participant either: a room has <see cref="ThreadCount"/>, started when its first video
/// arrives, so a slow decoder costs its own room and, with more than one thread, not even
/// all of that.
/// </remarks>
internal sealed class VideoDecodePool : IDisposable
{
    /// <summary>Two at least, so one stuck sender leaves the room's others a thread; more on more cores.</summary>
    public static readonly int ThreadCount = Math.Clamp(Environment.ProcessorCount, 2, 4);

    private readonly string _name;
    // Monitor.Wait/Pulse rather than a semaphore: a thread between frames blocks at once
    // instead of spinning first, which at a frame a millisecond cost more than the decodes.
    private readonly object _gate = new();
    private readonly Queue<VideoReceiver> _ready = new();
    private readonly bool _threaded;
    private Thread[]? _threads;
    private bool _stopping;

    /// <param name="threads">False: no threads; a receiver's frames are decoded on the thread that schedules it (a room driven by a test's clock).</param>
    public VideoDecodePool(string name, bool threads = true)
    {
        _name = name;
        _threaded = threads;
    }

    /// <summary>Puts a receiver with frames waiting in line (it schedules itself at most once at a time).</summary>
    public void Schedule(VideoReceiver receiver)
    {
        if (!_threaded)
        {
            while (receiver.DecodeNext())
            {
            }
            return;
        }
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }
            _ready.Enqueue(receiver);
            _threads ??= Start();
            Monitor.Pulse(_gate);
        }
    }

    public void Dispose()
    {
        Thread[]? threads;
        lock (_gate)
        {
            _stopping = true;
            threads = _threads;
            _ready.Clear();
            Monitor.PulseAll(_gate);
        }
        if (threads is null)
        {
            return;
        }
        foreach (var thread in threads)
        {
            thread.Join(TimeSpan.FromSeconds(2));
        }
    }

    private Thread[] Start()
    {
        var threads = new Thread[ThreadCount];
        for (int i = 0; i < threads.Length; i++)
        {
            threads[i] = new Thread(Run) { IsBackground = true, Name = $"room {_name} decode {i}" };
            threads[i].Start();
        }
        return threads;
    }

    private void Run()
    {
        while (true)
        {
            VideoReceiver receiver;
            lock (_gate)
            {
                while (_ready.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_gate);
                }
                if (_stopping)
                {
                    return;
                }
                receiver = _ready.Dequeue();
            }
            bool more;
            try
            {
                more = receiver.DecodeNext();
            }
            catch (Exception)
            {
                // DecodeNext catches the decoder's throws; this thread must outlive a bug elsewhere.
                more = true;
            }
            if (more)
            {
                Schedule(receiver);
            }
        }
    }
}
