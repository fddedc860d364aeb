using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Mcu.Conference.Mixing;
using Mcu.Conference.Recording;
using Mcu.Media.Frames;
using Mcu.Media.Streaming;

namespace Mcu.Conference.Streaming;

public enum LiveStreamState
{
    Starting,
    Live,
    Reconnecting,
    Stopped,
    Failed,
}

/// <summary>Where a live stream goes: the container, the URL (or the HLS playlist's path), the muxer's options.</summary>
/// <param name="DisplayTarget">How logs and reasons name it: a stream key in the URL is a secret.</param>
public sealed record LiveStreamTarget(StreamFormat Format, string Url, string? MuxerOptions, string DisplayTarget);

public sealed record LiveStreamOptions
{
    /// <summary>How long one connect, send or close may block before the connection counts as lost.</summary>
    public TimeSpan IoTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to keep trying to (re)connect before the stream fails; zero fails at the first loss.</summary>
    public TimeSpan ReconnectWindow { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Access units and 20 ms audio frames waiting for the connection; past it they are dropped and counted.</summary>
    public int QueueCapacity { get; init; } = 256;
}

/// <summary>
/// A room's live stream: a sink on the room's mixer (like a recording, so it shares the H.264
/// encode of its tier) whose own thread pushes the picture and the mix to an RTMP/SRT endpoint
/// or HLS files. The room's clock threads only copy into pooled buffers and queue (bounded): a slow
/// or dead endpoint drops media and counts it, it never stalls the room. The endpoint going away
/// is normal: the stream goes <see cref="LiveStreamState.Reconnecting"/>, tries again with backoff
/// for <see cref="LiveStreamOptions.ReconnectWindow"/>, then fails with the last error. Media is
/// queued only while connected, and a new connection starts at a keyframe it asks for.
/// A thread of its own, not the pool, because a connect may block for the I/O timeout.
/// </summary>
public sealed class LiveStreamSink : IRoomRecorder, IDisposable
{
    /// <summary>Platforms want a keyframe at least every 2 s, and HLS cuts its 2 s segments at them.</summary>
    public const long KeyframeIntervalMicros = 2_000_000;

    private const long MaxAudioDriftMicros = 60_000;
    private const long MaxSilenceFillMicros = 2_000_000;
    private const long MinVideoSpacingMicros = 1000;

    private readonly LiveStreamTarget _target;
    private readonly LiveStreamOptions _options;
    private readonly ConcurrentQueue<Item> _queue = new();
    private readonly SemaphoreSlim _queued = new(0);
    private readonly ManualResetEventSlim _stopSignal = new();
    private readonly TaskCompletionSource<string?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly short[] _silence = new short[AudioFormat.SamplesPerFrame];
    private readonly Thread _thread;
    private readonly Lock _writerGate = new();
    private LiveStreamWriter? _writer; // under _writerGate, so Stop can abort the call in progress
    private volatile bool _connected;
    private volatile bool _videoBroken = true;
    private volatile bool _stopping;
    private int _count;
    private long _lastKeyframeMicros = long.MinValue / 2;
    private long _lastVideoMicros = long.MinValue / 2;
    private long _nextAudioMicros = -1;
    private bool _started; // a keyframe went out on this connection
    private bool _wasLive;
    private long _bytesBefore; // bytes of the connections before this one
    private long _bytesSent;
    private long _bitsPerSecond;
    private long _windowBytes;
    private long _windowStart;
    private long _dropped;
    private int _reconnects;
    private volatile LiveStreamState _state = LiveStreamState.Starting;
    private volatile string? _reason;

    public LiveStreamSink(LiveStreamTarget target, OutputTier tier, LiveStreamOptions? options = null)
    {
        _target = target;
        _options = options ?? new LiveStreamOptions();
        Tier = tier;
        _thread = new Thread(Run) { IsBackground = true, Name = "live-stream" };
    }

    public OutputTier Tier { get; }

    public LiveStreamTarget Target => _target;

    public LiveStreamState State => _state;

    /// <summary>Why the stream is reconnecting (or still starting after a failed try), or failed; null otherwise.</summary>
    public string? Reason => _reason;

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bits sent over the last second or so.</summary>
    public long BitsPerSecond => Interlocked.Read(ref _bitsPerSecond);

    /// <summary>Video access units and audio frames dropped because the connection fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Connections lost (each followed by reconnecting).</summary>
    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Raised on the stream's thread at each change of <see cref="State"/>, with the reason. Do nothing slow in it.</summary>
    public event Action<LiveStreamSink, LiveStreamState, string?>? StateChanged;

    /// <summary>Completes when the stream is over: null when stopped, else the failure.</summary>
    public Task<string?> Ended => _ended.Task;

    public bool WantsKeyframe => _connected && (_videoBroken || _lastVideoMicros - _lastKeyframeMicros >= KeyframeIntervalMicros);

    /// <summary>Starts connecting (on the stream's own thread).</summary>
    public void Start()
    {
        lock (_writerGate)
        {
            if (!_stopping)
            {
                _thread.Start();
            }
        }
    }

    /// <summary>Sends what is queued, closes the connection (within the I/O timeout) and ends the stream.</summary>
    public Task<string?> StopAsync()
    {
        lock (_writerGate)
        {
            _stopping = true;
            _stopSignal.Set();
            _queued.Release();
            if (!_thread.IsAlive && _thread.ThreadState.HasFlag(System.Threading.ThreadState.Unstarted))
            {
                _state = LiveStreamState.Stopped;
                _ended.TrySetResult(null); // never started
            }
            else if (!_connected)
            {
                _writer?.Abort(); // a connect in progress: nothing to flush
            }
        }
        return _ended.Task;
    }

    public void Dispose()
    {
        _ = StopAsync();
    }

    public void OnVideo(ReadOnlySpan<byte> annexB, bool keyframe, long mediaMicros)
    {
        mediaMicros = Math.Max(mediaMicros, _lastVideoMicros + MinVideoSpacingMicros);
        _lastVideoMicros = mediaMicros;
        if (keyframe)
        {
            _lastKeyframeMicros = mediaMicros;
            _videoBroken = false;
        }
        if (!_connected || _videoBroken || _stopping)
        {
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(annexB.Length);
        annexB.CopyTo(buffer);
        if (!TryQueue(new Item(buffer, null, annexB.Length, mediaMicros, keyframe)))
        {
            _videoBroken = true; // the next keyframe repairs it
        }
    }

    public void OnAudio(ReadOnlySpan<short> pcm, long mediaMicros)
    {
        if (!_connected || _stopping)
        {
            return;
        }
        var buffer = ArrayPool<short>.Shared.Rent(pcm.Length);
        pcm.CopyTo(buffer);
        TryQueue(new Item(null, buffer, pcm.Length, mediaMicros, false));
    }

    private bool TryQueue(Item item)
    {
        if (Interlocked.Increment(ref _count) > _options.QueueCapacity)
        {
            Interlocked.Decrement(ref _count);
            Interlocked.Increment(ref _dropped);
            item.Return();
            return false;
        }
        _queue.Enqueue(item);
        _queued.Release();
        return true;
    }

    private void Run()
    {
        string? failure = null;
        var backoff = _options.FirstBackoff;
        long lostAt = -1;
        while (!_stopping)
        {
            string? error = Connect();
            if (error is null)
            {
                backoff = _options.FirstBackoff;
                lostAt = -1;
                error = Pump();
                if (error is null)
                {
                    break; // stopped
                }
                Interlocked.Increment(ref _reconnects);
            }
            if (_stopping)
            {
                break;
            }
            long now = Stopwatch.GetTimestamp();
            lostAt = lostAt < 0 ? now : lostAt;
            if (Stopwatch.GetElapsedTime(lostAt, now) >= _options.ReconnectWindow)
            {
                failure = error;
                break;
            }
            // Until it was live once, trying again is still starting (the endpoint may be coming up).
            SetState(_wasLive ? LiveStreamState.Reconnecting : LiveStreamState.Starting, error);
            _stopSignal.Wait(backoff);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
        DrainQueue();
        SetState(failure is null ? LiveStreamState.Stopped : LiveStreamState.Failed, failure);
        _ended.TrySetResult(failure);
    }

    /// <returns>null when connected, else why not.</returns>
    private string? Connect()
    {
        LiveStreamWriter writer;
        try
        {
            writer = new LiveStreamWriter(_target.Format, _target.Url, Tier.Width, Tier.Height, _options.IoTimeout,
                _target.MuxerOptions, _target.DisplayTarget);
        }
        catch (IOException e)
        {
            return e.Message;
        }
        lock (_writerGate)
        {
            _writer = writer;
        }
        try
        {
            if (_stopping)
            {
                writer.Abort();
            }
            writer.Open();
        }
        catch (IOException e)
        {
            CloseWriter(complete: false);
            return e.Message;
        }
        _started = false;
        _nextAudioMicros = -1;
        _windowStart = Stopwatch.GetTimestamp();
        _windowBytes = 0;
        DrainQueue();
        _videoBroken = true; // start at a keyframe, which WantsKeyframe now asks for
        _connected = true;
        return null;
    }

    /// <summary>Sends until stopped (null) or the connection fails (why).</summary>
    private string? Pump()
    {
        var writer = _writer!;
        string? error = null;
        while (error is null)
        {
            _queued.Wait();
            if (!_queue.TryDequeue(out var item))
            {
                if (_stopping)
                {
                    break;
                }
                continue;
            }
            Interlocked.Decrement(ref _count);
            try
            {
                Write(writer, item);
            }
            catch (IOException e)
            {
                error = e.Message;
            }
            finally
            {
                item.Return();
            }
        }
        _connected = false;
        if (error is null)
        {
            error = CloseWriter(complete: true);
            return error is null || _stopping ? null : error;
        }
        CloseWriter(complete: false);
        return error;
    }

    private void Write(LiveStreamWriter writer, Item item)
    {
        if (item.Video is not null)
        {
            writer.WriteVideo(item.Video.AsSpan(0, item.Length), item.MediaMicros, item.Keyframe);
            if (item.Keyframe && !_started)
            {
                _started = true;
                _wasLive = true;
                SetState(LiveStreamState.Live, null);
            }
        }
        else if (_started)
        {
            // The muxer lays audio end to end: keep it on the clock across drops and a late clock's bursts.
            if (_nextAudioMicros >= 0)
            {
                long gap = item.MediaMicros - _nextAudioMicros;
                if (gap > MaxAudioDriftMicros)
                {
                    FillSilence(writer, Math.Min(gap, MaxSilenceFillMicros));
                }
                else if (gap < -MaxAudioDriftMicros)
                {
                    return;
                }
            }
            writer.WriteAudio(item.Audio.AsSpan(0, item.Length), item.MediaMicros);
            _nextAudioMicros = (_nextAudioMicros < 0 ? item.MediaMicros : _nextAudioMicros) + item.Length * 1_000_000L / AudioFormat.SampleRate;
        }
        long bytes = _bytesBefore + writer.BytesSent;
        Interlocked.Exchange(ref _bytesSent, bytes);
        long now = Stopwatch.GetTimestamp();
        var elapsed = Stopwatch.GetElapsedTime(_windowStart, now);
        if (elapsed >= TimeSpan.FromSeconds(1))
        {
            Interlocked.Exchange(ref _bitsPerSecond, (long)((bytes - _windowBytes) * 8 / elapsed.TotalSeconds));
            _windowStart = now;
            _windowBytes = bytes;
        }
    }

    private void FillSilence(LiveStreamWriter writer, long micros)
    {
        long samples = micros * AudioFormat.SampleRate / 1_000_000;
        while (samples > 0)
        {
            int n = (int)Math.Min(samples, _silence.Length);
            writer.WriteAudio(_silence.AsSpan(0, n), _nextAudioMicros);
            _nextAudioMicros += n * 1_000_000L / AudioFormat.SampleRate;
            samples -= n;
        }
    }

    /// <returns>null, or why finishing failed.</returns>
    private string? CloseWriter(bool complete)
    {
        LiveStreamWriter? writer;
        lock (_writerGate)
        {
            writer = _writer;
            _writer = null;
        }
        if (writer is null)
        {
            return null;
        }
        string? error = null;
        try
        {
            if (complete)
            {
                writer.Complete();
            }
        }
        catch (IOException e)
        {
            error = e.Message;
        }
        _bytesBefore += writer.BytesSent;
        Interlocked.Exchange(ref _bytesSent, _bytesBefore);
        writer.Dispose();
        return error;
    }

    private void DrainQueue()
    {
        while (_queue.TryDequeue(out var item))
        {
            Interlocked.Decrement(ref _count);
            item.Return();
        }
    }

    private void SetState(LiveStreamState state, string? reason)
    {
        if (_state == state && _reason == reason)
        {
            return;
        }
        _reason = reason;
        _state = state;
        StateChanged?.Invoke(this, state, reason);
    }

    private readonly record struct Item(byte[]? Video, short[]? Audio, int Length, long MediaMicros, bool Keyframe)
    {
        public void Return()
        {
            if (Video is not null)
            {
                ArrayPool<byte>.Shared.Return(Video);
            }
            if (Audio is not null)
            {
                ArrayPool<short>.Shared.Return(Audio);
            }
        }
    }
}
