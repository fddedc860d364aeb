using System.Diagnostics;

namespace Mcu.Rtc.Packetization;

/// <summary>
/// Turns RTP payloads, fed in sequence order, into complete frames (sans-IO, allocation-free in
/// steady state). A frame starts with a packet the codec calls a frame start and ends at the marker
/// bit, or at a timestamp change when the sender forgot the marker. A frame with any sequence gap,
/// malformed payload or missing start is dropped, never handed out broken.
/// Reordering and NACK belong to a jitter buffer in front of this: a reordered packet is a gap here.
/// </summary>
/// <remarks>
/// Usage: <c>if (assembler.Push(...) == FrameReady) while (assembler.TryTakeFrame(out var f)) decode(f);</c>
/// One push can finish two frames (a marker-less frame ended by a one-packet frame), hence the loop.
/// </remarks>
public sealed class FrameAssembler
{
    public const int DefaultMaxFrameSize = 4 * 1024 * 1024;

    // One buffer being assembled plus at most two frames finished by the same push.
    private const int BufferCount = 3;

    private readonly IRtpDepacketizer _codec;
    private readonly FrameBuffer[] _buffers = new FrameBuffer[BufferCount];
    private readonly uint[] _timestamps = new uint[BufferCount];
    private readonly bool[] _keyframes = new bool[BufferCount];
    private readonly int[] _ready = new int[2];
    private int _readyCount;
    private int _readyTaken;
    private int _assembling;

    private bool _inFrame;
    private uint _frameTimestamp;
    private bool _hasLastSequence;
    private ushort _lastSequence;
    private bool _hasDroppedTimestamp;
    private uint _droppedTimestamp;

    public FrameAssembler(IRtpDepacketizer codec, int maxFrameSize = DefaultMaxFrameSize)
    {
        ArgumentNullException.ThrowIfNull(codec);
        _codec = codec;
        int initial = Math.Min(maxFrameSize, 64 * 1024);
        for (int i = 0; i < BufferCount; i++)
        {
            _buffers[i] = new FrameBuffer(initial, maxFrameSize);
        }
    }

    public long FramesReady { get; private set; }
    public long FramesDropped { get; private set; }
    public long InvalidPackets { get; private set; }
    public long DuplicatePackets { get; private set; }

    /// <summary>
    /// Feeds one RTP payload. Frames handed out by <see cref="TryTakeFrame"/> before this call
    /// become invalid.
    /// </summary>
    public DepacketizeResult Push(ReadOnlySpan<byte> payload, ushort sequenceNumber, uint timestamp, bool marker)
    {
        _readyCount = 0;
        _readyTaken = 0;

        if (_hasLastSequence && sequenceNumber == _lastSequence)
        {
            DuplicatePackets++;
            return DepacketizeResult.NeedMore;
        }
        bool gap = _hasLastSequence && sequenceNumber != (ushort)(_lastSequence + 1);
        _hasLastSequence = true;
        _lastSequence = sequenceNumber;

        bool dropped = false;
        if (_inFrame && gap)
        {
            Drop();
            dropped = true;
        }

        if (_inFrame && timestamp != _frameTimestamp)
        {
            // In order, no gap, new timestamp: the previous frame ended without a marker.
            dropped |= !Complete();
        }

        if (!_codec.TryInspect(payload, out bool isFrameStart))
        {
            InvalidPackets++;
            if (_inFrame)
            {
                Drop();
            }
            else if (!_hasDroppedTimestamp || timestamp != _droppedTimestamp)
            {
                // The bad packet may have been the start of a frame whose other packets follow.
                MarkDropped(timestamp);
            }
            return Result(invalid: true, dropped: true);
        }

        if (!_inFrame)
        {
            if (!isFrameStart || (_hasDroppedTimestamp && timestamp == _droppedTimestamp))
            {
                // The tail of a frame whose beginning we never saw (or already dropped).
                if (!_hasDroppedTimestamp || timestamp != _droppedTimestamp)
                {
                    MarkDropped(timestamp);
                    dropped = true;
                }
                return Result(invalid: false, dropped);
            }
            _inFrame = true;
            _frameTimestamp = timestamp;
            _buffers[_assembling].Clear();
            _codec.BeginFrame();
        }

        if (!_codec.TryAppend(payload, _buffers[_assembling]))
        {
            InvalidPackets++;
            Drop();
            return Result(invalid: true, dropped: true);
        }

        if (marker)
        {
            dropped |= !Complete();
        }
        return Result(invalid: false, dropped);
    }

    /// <summary>Hands out the next finished frame of the last push, oldest first.</summary>
    public bool TryTakeFrame(out EncodedFrame frame)
    {
        if (_readyTaken >= _readyCount)
        {
            frame = default;
            return false;
        }
        int index = _ready[_readyTaken++];
        frame = new EncodedFrame(_buffers[index].WrittenSpan, _timestamps[index], _keyframes[index]);
        return true;
    }

    /// <summary>Forgets the frame in progress and the sequence history (e.g. after an SSRC change).</summary>
    public void Reset()
    {
        _inFrame = false;
        _hasLastSequence = false;
        _hasDroppedTimestamp = false;
        _readyCount = 0;
        _readyTaken = 0;
    }

    private DepacketizeResult Result(bool invalid, bool dropped)
    {
        if (_readyCount > 0)
        {
            return DepacketizeResult.FrameReady;
        }
        if (invalid)
        {
            return DepacketizeResult.Invalid;
        }
        return dropped ? DepacketizeResult.FrameDropped : DepacketizeResult.NeedMore;
    }

    private void Drop()
    {
        Debug.Assert(_inFrame);
        _inFrame = false;
        MarkDropped(_frameTimestamp);
    }

    private void MarkDropped(uint timestamp)
    {
        FramesDropped++;
        _hasDroppedTimestamp = true;
        _droppedTimestamp = timestamp;
    }

    /// <summary>Ends the frame in progress; true if it was handed to the ready list.</summary>
    private bool Complete()
    {
        Debug.Assert(_inFrame);
        var buffer = _buffers[_assembling];
        if (buffer.Length == 0 || !_codec.TryComplete(buffer, out bool isKeyframe))
        {
            Drop();
            return false;
        }
        _inFrame = false;
        _hasDroppedTimestamp = false;
        FramesReady++;
        _timestamps[_assembling] = _frameTimestamp;
        _keyframes[_assembling] = isKeyframe;
        _ready[_readyCount++] = _assembling;
        _assembling = NextFreeBuffer();
        return true;
    }

    private int NextFreeBuffer()
    {
        for (int i = 0; i < BufferCount; i++)
        {
            bool taken = false;
            for (int r = 0; r < _readyCount; r++)
            {
                taken |= _ready[r] == i;
            }
            if (!taken)
            {
                return i;
            }
        }
        throw new UnreachableException("At most two frames finish per push.");
    }
}
