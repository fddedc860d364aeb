using System.Diagnostics;
using Mcu.Conference.Recording;
using Mcu.Conference.Send;
using Mcu.Media.Codecs;
using Mcu.Media.Compositing;
using Mcu.Media.Frames;
using Mcu.Rtc.Packetization;

namespace Mcu.Conference.Mixing;

/// <summary>What makes two participants' video identical, so they can share one encoder.</summary>
public readonly record struct VideoOutputKey(string Layout, OutputTier Tier, VideoCodec Codec, string? PersonalFor);

/// <summary>
/// One composited, encoded video stream: a canvas at one tier, one encoder, and the
/// participants who receive it. Each frame is encoded and packetized once; the
/// payloads then go to every subscriber under that subscriber's own SSRC and sequence
/// numbers.
/// </summary>
internal sealed class VideoOutput : IDisposable
{
    private const int MaxPayload = 1100;
    private const int KeyframeMinIntervalMs = 1000;
    private const int RefreshIntervalMs = 1000;
    private const int StillAfterMs = 500;

    private readonly Compositor _compositor;
    private readonly VideoEncoder _encoder;
    private readonly VideoFramePool _pool;
    private readonly IRtpPacketizer _packetizer;
    private readonly PacedFramePool _frames = new();
    private readonly EncodedPacketHandler _onPacket;
    private List<MixMember> _subscribers = [];
    private IRoomRecorder[] _recorders = [];
    private long _pendingLatencyFromMs = -1;
    private readonly KeyValuePair<string, object?> _tierTag;
    private readonly Func<long> _nowMs;
    private readonly LatencySamples _latency;
    private long _mediaMicros;
    private long _renderedAtMicros;
    private readonly long _periodMicros;
    private long _lastSlot = long.MinValue;
    private long _lastStampSlot = long.MinValue / 2;
    private bool _keyframeWanted = true;
    private long _lastKeyframeMs = long.MinValue / 2;
    private long _lastEncodeMs = long.MinValue / 2;
    private long _lastSignature;
    private long _lastChangeMs = long.MinValue / 2;

    public VideoOutput(VideoOutputKey key, int framesPerSecond, CompositorStyle style, Func<long> nowMs, LatencySamples latency)
    {
        Key = key;
        _nowMs = nowMs;
        _latency = latency;
        _periodMicros = 1_000_000 / framesPerSecond;
        _compositor = new Compositor(key.Tier.Width, key.Tier.Height, style);
        _encoder = new VideoEncoder(key.Codec, key.Tier.Width, key.Tier.Height, framesPerSecond, key.Tier.BitrateKbps);
        _pool = new VideoFramePool(key.Tier.Width, key.Tier.Height);
        _packetizer = key.Codec == VideoCodec.H264 ? new H264Packetizer(MaxPayload) : new Vp8Packetizer(MaxPayload);
        _onPacket = SendPacket;
        _tierTag = new KeyValuePair<string, object?>("tier", key.Tier.Name);
    }

    /// <summary>Recorders taking this output's H.264; a new one needs a keyframe to start its file.</summary>
    public void SetRecorders(IRoomRecorder[] recorders)
    {
        if (ReferenceEquals(recorders, _recorders))
        {
            return;
        }
        foreach (var recorder in recorders)
        {
            if (Array.IndexOf(_recorders, recorder) < 0)
            {
                _keyframeWanted = true;
            }
        }
        _recorders = recorders;
    }

    public VideoOutputKey Key { get; }

    public long FramesEncoded { get; private set; }

    public long FramesSkipped { get; private set; }

    /// <summary>Server-added latency of the last frame: newest input frame complete → its packets handed to the pacer, whose first round goes at once.</summary>
    public long LastLatencyMs { get; private set; }

    /// <summary>Last time anyone subscribed; idle outputs are closed by the room.</summary>
    public long LastUsedMs { get; set; }

    /// <summary>Asks for a keyframe, at most one a second (one bad receiver must not make every tier spew keyframes).</summary>
    public void RequestKeyframe(long nowMs, bool urgent = false)
    {
        if (urgent || nowMs - _lastKeyframeMs >= KeyframeMinIntervalMs)
        {
            _keyframeWanted = true;
        }
    }

    /// <summary>
    /// Composites and encodes one frame and sends it to <paramref name="subscribers"/>, unless
    /// nothing has changed for a while (<paramref name="signature"/>) and it is not yet time
    /// for a refresh: a room whose pictures stand still costs next to nothing.
    /// </summary>
    public void Render(IReadOnlyList<LayoutRegion> regions, IReadOnlyList<CompositorSource> sources, long signature, long newestInputMs,
        List<MixMember> subscribers, long nowMs, long mediaMicros)
    {
        foreach (var recorder in _recorders)
        {
            _keyframeWanted |= recorder.WantsKeyframe;
        }
        // At most one frame per frame period of real time: a late clock catching up in a burst
        // would only send pictures of the same instant (and give a recording colliding timestamps).
        long slot = nowMs * 1000 / _periodMicros;
        if (slot <= _lastSlot)
        {
            FramesSkipped++;
            return;
        }
        // While pictures move, every tick is encoded (inputs and ticks are not in phase, so
        // encoding only ticks with a new input would beat down the frame rate); once nothing has
        // changed for a while, only a refresh a second goes out.
        if (signature != _lastSignature)
        {
            _lastSignature = signature;
            _lastChangeMs = nowMs;
        }
        bool live = nowMs - _lastChangeMs < StillAfterMs;
        if (!live && !_keyframeWanted && nowMs - _lastEncodeMs < RefreshIntervalMs)
        {
            FramesSkipped++;
            return;
        }
        _lastEncodeMs = nowMs;
        _lastSlot = slot;
        var frame = _pool.Rent();
        try
        {
            long started = Stopwatch.GetTimestamp();
            _compositor.Compose(regions, sources, frame);
            long composed = Stopwatch.GetTimestamp();
            McuMetrics.CompositeMs.Record(Stopwatch.GetElapsedTime(started, composed).TotalMilliseconds, _tierTag);
            frame.TimestampMicros = mediaMicros;
            bool keyframe = _keyframeWanted;
            if (keyframe)
            {
                _keyframeWanted = false;
                _lastKeyframeMs = nowMs;
            }
            _subscribers = subscribers;
            _mediaMicros = mediaMicros;
            // Recorders get the frame slot its newest picture arrived in, not the one it was drawn in: the
            // picture's wait (decode queue, tick) is taken out, as audio is mixed soon after it arrives.
            // Slots only increase and never pass the drawing slot, so the stamps cannot run ahead.
            long arrivedSlot = (newestInputMs >= 0 ? newestInputMs : nowMs) * 1000 / _periodMicros;
            _lastStampSlot = Math.Min(slot, Math.Max(arrivedSlot, _lastStampSlot + 1));
            _renderedAtMicros = _lastStampSlot * _periodMicros;
            _pendingLatencyFromMs = newestInputMs;
            _encoder.Encode(frame, keyframe, _onPacket);
            McuMetrics.EncodeMs.Record(Stopwatch.GetElapsedTime(composed).TotalMilliseconds, _tierTag);
            McuMetrics.FramesEncoded.Add(1, _tierTag);
            FramesEncoded++;
        }
        finally
        {
            frame.Release();
        }
    }

    public void SetBitrate(int kbps) => _encoder.SetBitrate(kbps);

    public void Dispose()
    {
        _encoder.Dispose();
        _compositor.Dispose();
    }

    private void SendPacket(ReadOnlySpan<byte> data, bool isKeyframe, long timestampMicros)
    {
        foreach (var recorder in _recorders)
        {
            // Real time on the frame grid (see Render), not the tick's nominal time: a late tick shows pictures from now.
            recorder.OnVideo(data, isKeyframe, _renderedAtMicros);
        }
        if (_pendingLatencyFromMs >= 0 && _subscribers.Count > 0)
        {
            LastLatencyMs = _nowMs() - _pendingLatencyFromMs;
            McuMetrics.ServerLatencyMs.Record(LastLatencyMs, _tierTag);
            _latency.Add(LastLatencyMs);
            _pendingLatencyFromMs = -1;
        }
        // Cut into packets once for everyone; each subscriber's queue sends them under its own
        // SSRC from the pacer, so this tick does no SRTP or socket work and never waits.
        var frame = _frames.Rent();
        frame.Fill(_packetizer, data, _mediaMicros);
        foreach (var participant in _subscribers)
        {
            if (participant.VideoOut is { } queue && !queue.TryEnqueue(frame))
            {
                // Their queue is full: the frames after this one would reference one they never got.
                RequestKeyframe(_nowMs());
            }
        }
        frame.Release();
    }
}
