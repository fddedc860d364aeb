using System.Buffers;
using System.Threading.Channels;
using Mcu.Conference.Mixing;
using Mcu.Media.Frames;
using Mcu.Media.Recording;

namespace Mcu.Conference.Recording;

/// <summary>
/// Records a room to a fragmented MP4. The room's clock threads only copy each access unit
/// or 20 ms of PCM into a pooled buffer and queue it (bounded): a slow disk drops media and
/// counts it, it never stalls the room. One worker writes the queue to <see cref="Mp4Writer"/>.
/// A keyframe is asked for every <see cref="KeyframeIntervalMicros"/> so a crash loses at most
/// one fragment, and after dropped video so the file decodes on from the next keyframe.
/// The writer lays audio end to end, so the recorder keeps it on the clock: when the audio
/// written falls behind the stamps (media dropped, the room's clock stalled) the gap is
/// filled with silence, and when it runs ahead (a late clock catching up in a burst) frames
/// are dropped; within <see cref="MaxAudioDriftMicros"/> it is left alone, so jitter costs nothing.
/// </summary>
public sealed class Mp4RoomRecorder : IRoomRecorder
{
    public const long KeyframeIntervalMicros = 2_000_000;

    public const long MaxAudioDriftMicros = 60_000;

    private const long MinVideoSpacingMicros = 1000;

    private const long MaxSilenceFillMicros = 10_000_000;

    private readonly Mp4Writer _writer;
    private readonly Channel<Item> _queue;
    private readonly TaskCompletionSource<string?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _faulted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly short[] _silence = new short[AudioFormat.SamplesPerFrame];
    private long _lastKeyframeMicros = long.MinValue / 2;
    private long _lastVideoMicros = long.MinValue / 2;
    private bool _videoBroken = true; // until the first keyframe
    private long _nextAudioMicros = -1;
    private long _firstMicros = -1;
    private long _lastWrittenMicros;
    private long _droppedVideo;
    private long _droppedAudio;
    private volatile string? _failure;

    /// <exception cref="IOException">The file cannot be created.</exception>
    public Mp4RoomRecorder(string path, OutputTier tier, int queueCapacity = 512)
    {
        Tier = tier;
        _writer = new Mp4Writer(path, tier.Width, tier.Height);
        _queue = Channel.CreateBounded<Item>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails, which is how we see an overflow
        });
        _ = Task.Run(WriteLoop);
    }

    public OutputTier Tier { get; }

    public string Path => _writer.Path;

    /// <summary>Media time written so far (first to last item).</summary>
    public TimeSpan Duration => TimeSpan.FromTicks(Math.Max(0, Volatile.Read(ref _lastWrittenMicros) - Math.Max(0, Volatile.Read(ref _firstMicros))) * 10);

    /// <summary>Video access units and audio frames dropped because the writer fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _droppedVideo) + Interlocked.Read(ref _droppedAudio);

    /// <summary>Why writing failed (e.g. the disk is full), or null.</summary>
    public string? Failure => _failure;

    /// <summary>Completes when writing first fails (the recording cannot go on).</summary>
    public Task Faulted => _faulted.Task;

    /// <summary>Completes when the file is closed: null when it was finished cleanly, else the failure.</summary>
    public Task<string?> Ended => _ended.Task;

    /// <summary>After dropped video, a repair keyframe is asked for at most this often: a slow disk must not turn the shared encoder's tier into keyframes.</summary>
    public const long RepairIntervalMicros = 500_000;

    private long _lastRepairAskMicros = long.MinValue / 2;

    public bool WantsKeyframe
    {
        get
        {
            if (_lastVideoMicros - _lastKeyframeMicros >= KeyframeIntervalMicros)
            {
                return true;
            }
            if (!_videoBroken || (_lastVideoMicros - _lastRepairAskMicros < RepairIntervalMicros && _lastRepairAskMicros > long.MinValue / 2))
            {
                return false;
            }
            _lastRepairAskMicros = _lastVideoMicros;
            return true;
        }
    }

    public void OnVideo(ReadOnlySpan<byte> annexB, bool keyframe, long mediaMicros)
    {
        // The room draws at most one frame per frame period; this only guards the file's rule of increasing times.
        mediaMicros = Math.Max(mediaMicros, _lastVideoMicros + MinVideoSpacingMicros);
        _lastVideoMicros = mediaMicros;
        if (keyframe)
        {
            _lastKeyframeMicros = mediaMicros;
            _videoBroken = false;
        }
        if (_videoBroken || _failure is not null)
        {
            return; // not decodable without the frames dropped before it
        }
        var buffer = ArrayPool<byte>.Shared.Rent(annexB.Length);
        annexB.CopyTo(buffer);
        if (!_queue.Writer.TryWrite(new Item(buffer, null, annexB.Length, mediaMicros, keyframe)))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Interlocked.Increment(ref _droppedVideo);
            _videoBroken = true;
        }
    }

    public void OnAudio(ReadOnlySpan<short> pcm, long mediaMicros)
    {
        if (_failure is not null)
        {
            return;
        }
        var buffer = ArrayPool<short>.Shared.Rent(pcm.Length);
        pcm.CopyTo(buffer);
        if (!_queue.Writer.TryWrite(new Item(null, buffer, pcm.Length, mediaMicros, false)))
        {
            ArrayPool<short>.Shared.Return(buffer);
            Interlocked.Increment(ref _droppedAudio);
        }
    }

    /// <summary>Writes what is queued, the last fragment and the trailer. Detach from the room first.</summary>
    /// <returns>null when the file was finished cleanly, else why not.</returns>
    public async Task<string?> CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return await _ended.Task.ConfigureAwait(false);
    }

    private async Task WriteLoop()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    try
                    {
                        if (_failure is null)
                        {
                            Write(item);
                        }
                    }
                    catch (IOException e)
                    {
                        _failure = e.Message;
                        _faulted.TrySetResult();
                    }
                    finally
                    {
                        item.Return();
                    }
                }
            }
            if (_failure is null)
            {
                _writer.Complete();
            }
        }
        catch (IOException e)
        {
            _failure ??= e.Message;
            _faulted.TrySetResult();
        }
        finally
        {
            _writer.Dispose();
            _ended.TrySetResult(_failure);
        }
    }

    private void Write(Item item)
    {
        if (_firstMicros < 0)
        {
            if (item.Video is null || !item.Keyframe)
            {
                return; // the file starts at a keyframe; earlier audio would be dropped by the writer anyway
            }
            Volatile.Write(ref _firstMicros, item.MediaMicros);
        }
        if (item.Video is not null)
        {
            _writer.WriteVideo(item.Video.AsSpan(0, item.Length), item.MediaMicros, item.Keyframe);
        }
        else
        {
            if (_nextAudioMicros >= 0)
            {
                long gap = item.MediaMicros - _nextAudioMicros;
                if (gap > MaxAudioDriftMicros)
                {
                    FillSilence(Math.Min(gap, MaxSilenceFillMicros));
                }
                else if (gap < -MaxAudioDriftMicros)
                {
                    return; // the written audio is ahead of the clock: the writer would place this late
                }
            }
            _writer.WriteAudio(item.Audio.AsSpan(0, item.Length), item.MediaMicros);
            // Where the writer's audio ends: its anchor plus every sample given since.
            _nextAudioMicros = (_nextAudioMicros < 0 ? item.MediaMicros : _nextAudioMicros) + item.Length * 1_000_000L / AudioFormat.SampleRate;
        }
        if (item.MediaMicros > _lastWrittenMicros)
        {
            Volatile.Write(ref _lastWrittenMicros, item.MediaMicros);
        }
    }

    private void FillSilence(long micros)
    {
        long samples = micros * AudioFormat.SampleRate / 1_000_000;
        while (samples > 0)
        {
            int n = (int)Math.Min(samples, _silence.Length);
            _writer.WriteAudio(_silence.AsSpan(0, n), _nextAudioMicros);
            _nextAudioMicros += n * 1_000_000L / AudioFormat.SampleRate;
            samples -= n;
        }
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
