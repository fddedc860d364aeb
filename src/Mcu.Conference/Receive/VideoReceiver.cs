using System.Buffers;
using System.Threading.Channels;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Rtc.Packetization;
using Mcu.Rtc.Rtp;

namespace Mcu.Conference.Receive;

/// <summary>
/// One participant's incoming video: RTP → jitter buffer (reorder, NACK) → frame
/// assembly → decoder, which runs on a worker of its own so a slow decode never holds
/// up the socket. The newest decoded picture is what the room's video tick takes.
/// A frame that cannot be completed, or a decoder error, asks for a keyframe and skips
/// to it: delta frames after a hole would only decode as garbage.
/// </summary>
public sealed class VideoReceiver : IDisposable
{
    private const int MaxQueuedFrames = 3;
    private const int KeyframeRequestIntervalMs = 500;

    private readonly Lock _lock = new();
    private readonly JitterBuffer _jitter = new();
    private readonly FrameAssembler _assembler;
    private readonly VideoDecoder _decoder;
    private readonly Channel<QueuedFrame> _decodeQueue;
    private readonly Task _decodeLoop;
    private VideoFrame? _latest;
    private bool _waitingForKeyframe = true;
    private bool _keyframeWanted = true;
    private long _lastKeyframeRequestMs = long.MinValue / 2;

    public VideoReceiver(VideoCodec codec, int payloadType)
    {
        PayloadType = payloadType;
        _assembler = codec == VideoCodec.H264 ? H264Depacketizer.CreateAssembler() : Vp8Depacketizer.CreateAssembler();
        _decoder = new VideoDecoder(codec);
        _decodeQueue = Channel.CreateBounded<QueuedFrame>(new BoundedChannelOptions(MaxQueuedFrames)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _decodeLoop = Task.Run(DecodeLoop);
    }

    public int PayloadType { get; }

    public uint Ssrc { get; private set; }

    public long FramesDecoded => Volatile.Read(ref _framesDecoded);

    public long KeyframeRequests => Volatile.Read(ref _keyframeRequests);

    public long LastFrameAtMs => Volatile.Read(ref _lastFrameAtMs);

    /// <summary>Loss and reordering seen so far, for receiver reports.</summary>
    public JitterBuffer Jitter => _jitter;

    private long _framesDecoded;
    private long _keyframeRequests;
    private long _lastFrameAtMs = -1;

    /// <summary>An RTP packet of this stream, on the transport's receive loop.</summary>
    public void OnRtp(ReadOnlySpan<byte> packet, in RtpPacket rtp, long nowMs)
    {
        lock (_lock)
        {
            Ssrc = rtp.Ssrc;
            _jitter.Insert(packet, rtp.SequenceNumber, nowMs);
            Drain(nowMs);
        }
    }

    /// <summary>
    /// Periodic work (the room's audio tick): releases packets whose missing predecessor is
    /// given up, and says which sequence numbers to NACK and whether to ask for a keyframe.
    /// </summary>
    public int Service(long nowMs, Span<ushort> nacks, out bool requestKeyframe)
    {
        lock (_lock)
        {
            Drain(nowMs);
            int count = _jitter.CollectNacks(nowMs, nacks);
            requestKeyframe = _keyframeWanted && nowMs - _lastKeyframeRequestMs >= KeyframeRequestIntervalMs;
            if (requestKeyframe)
            {
                _lastKeyframeRequestMs = nowMs;
                _keyframeRequests++;
            }
            return count;
        }
    }

    /// <summary>The newest decoded picture with a reference for the caller (who releases it), or null.</summary>
    public VideoFrame? TakeLatest()
    {
        lock (_lock)
        {
            _latest?.AddRef();
            return _latest;
        }
    }

    public void Dispose()
    {
        _decodeQueue.Writer.TryComplete();
        _decodeLoop.Wait(TimeSpan.FromSeconds(2));
        lock (_lock)
        {
            _latest?.Release();
            _latest = null;
        }
        _decoder.Dispose();
    }

    private void Drain(long nowMs)
    {
        while (_jitter.TryDequeue(nowMs, out var packet))
        {
            if (!RtpPacket.TryParse(packet.Data, out var rtp))
            {
                continue;
            }
            var result = _assembler.Push(rtp.Payload, rtp.SequenceNumber, rtp.Timestamp, rtp.Marker);
            if (result == DepacketizeResult.FrameDropped)
            {
                WantKeyframe();
            }
            while (_assembler.TryTakeFrame(out var frame))
            {
                Enqueue(frame, nowMs);
            }
        }
    }

    private void Enqueue(EncodedFrame frame, long nowMs)
    {
        if (frame.IsKeyframe)
        {
            _waitingForKeyframe = false;
            _keyframeWanted = false;
        }
        if (_waitingForKeyframe)
        {
            return;
        }
        var copy = ArrayPool<byte>.Shared.Rent(frame.Data.Length);
        frame.Data.CopyTo(copy);
        if (!_decodeQueue.Writer.TryWrite(new QueuedFrame(copy, frame.Data.Length, nowMs)))
        {
            // The decoder is behind: the frames after this one would reference a lost one.
            ArrayPool<byte>.Shared.Return(copy);
            WantKeyframe();
        }
    }

    private void WantKeyframe()
    {
        _waitingForKeyframe = true;
        _keyframeWanted = true;
    }

    private async Task DecodeLoop()
    {
        await foreach (var item in _decodeQueue.Reader.ReadAllAsync())
        {
            VideoFrame? picture;
            string? error;
            try
            {
                long started = System.Diagnostics.Stopwatch.GetTimestamp();
                picture = _decoder.Decode(item.Buffer.AsSpan(0, item.Length), item.ReceivedMs * 1000, out error);
                McuMetrics.DecodeMs.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(item.Buffer);
            }
            lock (_lock)
            {
                if (picture is null)
                {
                    if (error is not null)
                    {
                        WantKeyframe();
                    }
                    continue;
                }
                _latest?.Release();
                _latest = picture;
                _framesDecoded++;
                _lastFrameAtMs = item.ReceivedMs;
            }
        }
    }

    private readonly record struct QueuedFrame(byte[] Buffer, int Length, long ReceivedMs);
}
