using System.Buffers;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Rtc.Packetization;
using Mcu.Rtc.Rtcp;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Session;

namespace Mcu.Conference.Receive;

/// <summary>
/// One participant's incoming video: whole frames from its <see cref="RtpReceiveStream"/>
/// (which does the RTP: statistics, reorder, NACK, assembly) → a bounded decode queue → decoder, which runs on the room's
/// <see cref="VideoDecodePool"/> so a slow decode never holds up the socket (nor the room's
/// tick): the receive loop only queues a frame, or drops and counts it when the decoder is
/// behind. No lock is held across the decode. The newest decoded picture is what the room's
/// video tick takes.
/// A frame that cannot be completed, or a decoder error, asks for a keyframe and skips
/// to it: delta frames after a hole would only decode as garbage.
/// </summary>
public sealed class VideoReceiver : IReceiveStreamFeedback, IDisposable
{
    private const int MaxQueuedFrames = 3;

    private readonly Lock _lock = new();
    private readonly RtpReceiveStream _stream;
    private readonly VideoCodec _codec;
    private readonly IVideoFrameDecoder _decoder;
    private readonly (int Width, int Height) _maxSize;
    private readonly VideoDecodePool _pool;
    private readonly QueuedFrame[] _queue = new QueuedFrame[MaxQueuedFrames];
    private int _queueHead;
    private int _queueCount;
    private bool _scheduled;    // in the pool's line, or being decoded
    private bool _decoding;
    private bool _disposed;
    private VideoFrame? _latest;

    /// <param name="decoder">Owned from now on: disposed with the receiver.</param>
    /// <param name="pool">The room's decode threads.</param>
    internal VideoReceiver(VideoCodec codec, int payloadType, (int Width, int Height) maxSize, IVideoFrameDecoder decoder, VideoDecodePool pool)
    {
        PayloadType = payloadType;
        _codec = codec;
        _maxSize = maxSize;
        _stream = new RtpReceiveStream(payloadType, 90_000,
            codec == VideoCodec.H264 ? H264Depacketizer.CreateAssembler() : Vp8Depacketizer.CreateAssembler());
        _decoder = decoder;
        _pool = pool;
    }

    public int PayloadType { get; }

    public uint Ssrc
    {
        get
        {
            lock (_lock)
            {
                return _stream.Ssrc;
            }
        }
    }

    public long FramesDecoded => Volatile.Read(ref _framesDecoded);

    public long KeyframeRequests
    {
        get
        {
            lock (_lock)
            {
                return _stream.KeyframeRequests;
            }
        }
    }

    public long LastFrameAtMs => Volatile.Read(ref _lastFrameAtMs);

    /// <summary>Keyframes refused because they declared (or decoded to) a picture over the size limit.</summary>
    public long PicturesTooLarge => Volatile.Read(ref _picturesTooLarge);

    /// <summary>Whole frames dropped because the decode queue was full: the decoder is behind.</summary>
    public long FramesDropped => Volatile.Read(ref _framesDropped);

    /// <summary>Decodes that threw (a decoder bug): the frame is dropped, a keyframe asked for, the loop goes on.</summary>
    public long DecodeFailures => Volatile.Read(ref _decodeFailures);

    /// <summary>
    /// Raised with the refused size when a picture over the limit arrives, at most once per
    /// refused run (not per keyframe); on the receive loop or a decode thread. Keep it short.
    /// </summary>
    public event Action<int, int>? PictureTooLarge;

    /// <summary>Raised on a decode thread when a decode threw.</summary>
    public event Action<Exception>? DecodeFailed;

    public long PacketsReceived
    {
        get
        {
            lock (_lock)
            {
                return _stream.PacketsReceived;
            }
        }
    }

    /// <summary>Packets given up as lost.</summary>
    public long PacketsLost
    {
        get
        {
            lock (_lock)
            {
                return _stream.PacketsLost;
            }
        }
    }

    private long _framesDecoded;
    private long _lastFrameAtMs = -1;
    private long _picturesTooLarge;
    private long _decodeFailures;
    private long _framesDropped;
    private bool _refusing;
    private bool _shown = true;
    private long _framesHidden;
    private bool _schedule;     // a frame was queued under the lock: schedule once out of it
    // A sender alternating oversize and small keyframes must not flood the log and every events socket.
    private const long AnnounceEveryMs = 10_000;
    private long _announcedAtMs = -AnnounceEveryMs;
    private (int Width, int Height)? _announce;

    /// <summary>An RTP packet of this stream, on the transport's receive loop.</summary>
    public void OnRtp(in RtpPacket rtp, long nowMs)
    {
        bool schedule;
        lock (_lock)
        {
            _stream.OnPacket(rtp, nowMs);
            Drain(nowMs);
            schedule = _schedule;
            _schedule = false;
        }
        if (schedule)
        {
            _pool.Schedule(this);
        }
        if (_announce is not null)
        {
            AnnounceRefusal();
        }
    }

    /// <summary>
    /// Periodic work: releases packets whose missing predecessor is given up, and says which
    /// sequence numbers to NACK (resent after <paramref name="roundTripMs"/>) and whether to ask for a keyframe.
    /// </summary>
    public int CollectFeedback(long nowMs, int roundTripMs, Span<ushort> nacks, out bool requestKeyframe)
    {
        if (_announce is not null)
        {
            AnnounceRefusal();
        }
        int count;
        bool schedule;
        lock (_lock)
        {
            Drain(nowMs);
            schedule = _schedule;
            _schedule = false;
            _stream.RoundTripMs = roundTripMs;
            count = _stream.CollectNacks(nowMs, nacks);
            requestKeyframe = _stream.TakeKeyframeRequest(nowMs);
        }
        if (schedule)
        {
            _pool.Schedule(this);
        }
        return count;
    }

    private int _pictureWidth;

    /// <summary>The width of the last picture decoded, 0 before one.</summary>
    public int PictureWidth => Volatile.Read(ref _pictureWidth);

    /// <summary>Whole frames not decoded because the participant was not on any canvas.</summary>
    public long FramesHidden => Interlocked.Read(ref _framesHidden);

    /// <summary>
    /// Whether the participant is on a canvas (the room's stage says, every video tick). Off: frames
    /// are assembled (so NACKs and statistics go on) but not decoded, and the last picture goes, so
    /// it is never shown stale. Back on: the stream skips to the next keyframe and asks for one,
    /// and the placeholder is shown until it is decoded.
    /// </summary>
    public void SetShown(bool shown)
    {
        lock (_lock)
        {
            if (shown == _shown || _disposed)
            {
                return;
            }
            _shown = shown;
            if (shown)
            {
                WantKeyframe();
                return;
            }
            while (_queueCount > 0)
            {
                ArrayPool<byte>.Shared.Return(Dequeue().Buffer);
            }
            _latest?.Release();
            _latest = null;
        }
    }

    /// <summary>This stream's receiver report block (null before a packet came).</summary>
    public ReportBlock? TakeReportBlock(uint lastSenderReport, uint delaySinceLastSenderReport)
    {
        lock (_lock)
        {
            return _stream.Ssrc == 0 ? null : _stream.TakeReportBlock(lastSenderReport, delaySinceLastSenderReport);
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

    /// <summary>Drops what waits; the decoder goes now, or after the decode under way if there is one.</summary>
    public void Dispose()
    {
        bool idle;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            while (_queueCount > 0)
            {
                ArrayPool<byte>.Shared.Return(Dequeue().Buffer);
            }
            _latest?.Release();
            _latest = null;
            idle = !_decoding;
        }
        if (idle)
        {
            _decoder.Dispose();
        }
    }

    private void Drain(long nowMs)
    {
        while (_stream.TryTakeFrame(nowMs, out var frame))
        {
            Enqueue(frame, nowMs);
        }
    }

    private void Enqueue(EncodedFrame frame, long nowMs)
    {
        if (frame.IsKeyframe && DeclaresTooLarge(frame.Data, out int width, out int height))
        {
            // Refused before the decoder sees it: a 16000x16000 keyframe would cost ~400 MB and the
            // room's video thread a scale of it. The deltas that follow need it, so wait for the next.
            RefuseTooLarge(width, height);
            WantKeyframe();
            return;
        }
        if (_disposed)
        {
            return;
        }
        if (!_shown)
        {
            Interlocked.Increment(ref _framesHidden);
            return;
        }
        if (_queueCount == MaxQueuedFrames)
        {
            // The decoder is behind: the frames after this one would reference a lost one.
            Interlocked.Increment(ref _framesDropped);
            McuMetrics.VideoFramesDropped.Add(1);
            WantKeyframe();
            return;
        }
        var copy = ArrayPool<byte>.Shared.Rent(frame.Data.Length);
        frame.Data.CopyTo(copy);
        _queue[(_queueHead + _queueCount) % MaxQueuedFrames] = new QueuedFrame(copy, frame.Data.Length, nowMs);
        _queueCount++;
        if (!_scheduled)
        {
            _scheduled = true;
            _schedule = true;
        }
    }

    private QueuedFrame Dequeue()
    {
        var item = _queue[_queueHead];
        _queue[_queueHead] = default;
        _queueHead = (_queueHead + 1) % MaxQueuedFrames;
        _queueCount--;
        return item;
    }

    /// <summary>
    /// The size a keyframe declares, read before decoding: a VP8 keyframe carries it in its first
    /// 10 bytes (RFC 6386 §9.1), an H.264 one in its SPS (H.264 §7.3.2.1.1).
    /// </summary>
    private bool DeclaresTooLarge(ReadOnlySpan<byte> frame, out int width, out int height)
    {
        width = height = 0;
        if (_codec == VideoCodec.Vp8)
        {
            if (!Vp8FrameHeader.TryParse(frame, out var header) || !header.IsKeyframe)
            {
                return false;
            }
            width = header.Width;
            height = header.Height;
        }
        else if (!H264SpsSize.TryReadFromAccessUnit(frame, out width, out height))
        {
            return false;
        }
        return IsTooLarge(width, height);
    }

    private bool IsTooLarge(int width, int height) => width > _maxSize.Width || height > _maxSize.Height;

    /// <summary>Counts a refusal and drops the held picture, so the room shows the placeholder. Under <c>_lock</c>.</summary>
    private void RefuseTooLarge(int width, int height)
    {
        Interlocked.Increment(ref _picturesTooLarge);
        _latest?.Release();
        _latest = null;
        _lastFrameAtMs = -1;
        if (!_refusing)
        {
            _refusing = true;
            long now = Environment.TickCount64;
            if (now - _announcedAtMs >= AnnounceEveryMs)
            {
                _announcedAtMs = now;
                _announce = (width, height);
            }
        }
    }

    /// <summary>Raises <see cref="PictureTooLarge"/> outside <c>_lock</c> for a refusal made under it.</summary>
    private void AnnounceRefusal()
    {
        (int Width, int Height)? announce;
        lock (_lock)
        {
            announce = _announce;
            _announce = null;
        }
        if (announce is { } size)
        {
            PictureTooLarge?.Invoke(size.Width, size.Height);
        }
    }

    /// <summary>Skips to the next keyframe and asks for one. Under <c>_lock</c>.</summary>
    private void WantKeyframe() => _stream.RequestKeyframe();

    /// <summary>
    /// On a decode thread: decodes the oldest waiting frame, outside the lock. True when more wait
    /// (the pool puts this receiver at the back of its line); false when it is off the line.
    /// </summary>
    internal bool DecodeNext()
    {
        QueuedFrame item;
        lock (_lock)
        {
            if (_queueCount == 0 || _disposed)
            {
                _scheduled = false;
                return false;
            }
            item = Dequeue();
            _decoding = true;
        }
        VideoFrame? picture = null;
        string? error = null;
        try
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            picture = _decoder.Decode(item.Buffer.AsSpan(0, item.Length), item.ReceivedMs * 1000, out error);
            McuMetrics.DecodeMs.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e)
        {
            // A decoder that throws must not freeze the participant's video for good: drop the
            // frame and resume at a keyframe, as after a decode error.
            Interlocked.Increment(ref _decodeFailures);
            error = e.Message;
            try
            {
                DecodeFailed?.Invoke(e);
            }
            catch (Exception)
            {
                // A handler's bug is not the decoder's: the counter has it.
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(item.Buffer);
        }
        bool more, disposeDecoder = false;
        lock (_lock)
        {
            _decoding = false;
            if (_disposed)
            {
                picture?.Release();
                disposeDecoder = true;
            }
            else if (picture is not null && IsTooLarge(picture.Width, picture.Height))
            {
                // Behind the header check, should a stream change size without saying so first:
                // the decoder's own limit (max_pixels) stops the huge ones, this the odd shapes.
                RefuseTooLarge(picture.Width, picture.Height);
                picture.Release();
                WantKeyframe();
            }
            else if (picture is null)
            {
                if (error is not null)
                {
                    WantKeyframe();
                }
            }
            else if (!_shown)
            {
                picture.Release();   // decoded while being taken off the canvas: not to be shown later, stale
            }
            else
            {
                _refusing = false;
                _latest?.Release();
                _latest = picture;
                _pictureWidth = picture.Width;
                _framesDecoded++;
                _lastFrameAtMs = item.ReceivedMs;
            }
            more = _queueCount > 0 && !_disposed;
            _scheduled = more;
        }
        if (disposeDecoder)
        {
            _decoder.Dispose();
            return false;
        }
        AnnounceRefusal();
        return more;
    }

    private readonly record struct QueuedFrame(byte[] Buffer, int Length, long ReceivedMs);
}
