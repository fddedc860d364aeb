namespace Mcu.Conference.Send;

/// <summary>
/// One participant's outgoing video as the <see cref="VideoPacer"/> sees it: the frames
/// handed over by the room's video tick, sent in order a burst per round. Bounded: a frame
/// that finds it full (the pacer is that far behind) is dropped and counted, and the caller
/// asks for a keyframe, as the frames after it would reference the lost one.
/// </summary>
internal sealed class SendQueue
{
    /// <summary>Frames waiting at most: at 30 fps, 130 ms behind.</summary>
    public const int Capacity = 4;

    /// <summary>Where a queue's packets go: its participant's RTP sender.</summary>
    public delegate void PacketSink(ReadOnlySpan<byte> payload, long mediaMicros, bool marker);

    private readonly Lock _lock = new();   // the queue's state only: sending happens outside it
    private readonly PacedFrame?[] _frames = new PacedFrame?[Capacity];
    private readonly VideoPacer _pacer;
    private readonly PacketSink _sink;
    private int _head;
    private int _count;
    private int _sent;            // packets of the head frame sent
    private long _headStartMs;    // when the head frame's first round was due
    private bool _scheduled;      // in the pacer's list
    private long _framesDropped;

    public SendQueue(VideoPacer pacer, PacketSink sink)
    {
        _pacer = pacer;
        _sink = sink;
    }

    /// <summary>Frames dropped because the queue was full.</summary>
    public long FramesDropped => Volatile.Read(ref _framesDropped);

    /// <summary>Frames waiting, the one being sent included.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>
    /// Queues <paramref name="frame"/> (taking a reference) to start going out now; false, and
    /// counted, when the queue is full. Never waits for the pacer.
    /// </summary>
    public bool TryEnqueue(PacedFrame frame)
    {
        bool schedule;
        lock (_lock)
        {
            if (_count == Capacity)
            {
                _framesDropped++;
                McuMetrics.OutputFramesDropped.Add(1);
                return false;
            }
            frame.AddRef();
            if (_count == 0)
            {
                _headStartMs = _pacer.NowMs;
                _sent = 0;
            }
            _frames[(_head + _count) % Capacity] = frame;
            _count++;
            schedule = !_scheduled;
            _scheduled = true;
        }
        if (schedule)
        {
            _pacer.Schedule(this);
        }
        return true;
    }

    /// <summary>Drops what is waiting (the participant left).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            while (_count > 0)
            {
                PopHead();
            }
        }
    }

    /// <summary>
    /// On the pacer: sends every packet due by <paramref name="nowMs"/> — round r of a frame is due
    /// r ms after its first, and a frame begins when the one before it is done — and returns when
    /// the next round is due, or <see cref="long.MaxValue"/> once the queue is empty (it is then
    /// off the pacer's list until the next frame).
    /// </summary>
    public long Drain(long nowMs)
    {
        while (true)
        {
            PacedFrame frame;
            int from, to;
            bool done;
            lock (_lock)
            {
                if (_count == 0)
                {
                    _scheduled = false;
                    return long.MaxValue;
                }
                frame = _frames[_head]!;
                long dueRounds = Math.Max(0, nowMs - _headStartMs) + 1;
                from = _sent;
                to = (int)Math.Min(frame.Count, dueRounds * frame.Burst);
                if (to <= from && frame.Count > 0)
                {
                    return _headStartMs + from / frame.Burst;
                }
                _sent = to;
                done = to >= frame.Count;
                // The queue's reference passes to this drain while the packets go out.
                frame.AddRef();
                if (done)
                {
                    PopHead();
                    _headStartMs = nowMs;
                }
            }
            try
            {
                for (int i = from; i < to; i++)
                {
                    _sink(frame.Packet(i), frame.MediaMicros, frame.Marker(i));
                }
            }
            finally
            {
                frame.Release();
            }
            if (!done)
            {
                lock (_lock)
                {
                    // The head's next round (a Clear meanwhile may have changed the head, or emptied the queue).
                    if (_count > 0)
                    {
                        return _headStartMs + _sent / _frames[_head]!.Burst;
                    }
                }
            }
        }
    }

    /// <summary>Takes the head frame off and lets go of the queue's reference. Under the lock.</summary>
    private void PopHead()
    {
        var frame = _frames[_head]!;
        _frames[_head] = null;
        _head = (_head + 1) % Capacity;
        _count--;
        _sent = 0;
        frame.Release();
    }
}
