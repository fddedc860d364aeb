using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Rtc.Rtp;

namespace Mcu.Conference.Receive;

/// <summary>
/// One participant's incoming Opus: a small reorder buffer that the room's audio tick
/// drains one 20 ms frame at a time. A missing frame is concealed by the decoder (PLC);
/// a participant who sends nothing is silent, not concealed forever; a buffer that grows
/// (the sender's clock runs fast, or a burst arrived) is trimmed back so delay stays low.
/// </summary>
/// <remarks>
/// The transport's receive loop, which serves every room, only copies a packet into its slot
/// (<see cref="OnRtp"/>); the decode runs on the room's audio tick (<see cref="TryReadFrame"/>)
/// outside the lock, so a slow decoder holds up its own room and never the socket. The buffer
/// is bounded: what it cannot use (too late, too far ahead, trimmed) is dropped and counted.
/// </remarks>
public sealed class AudioReceiver : IDisposable
{
    private const int Capacity = 32;       // a power of two
    private const int MaxPacket = 1500;
    private const int TargetDepth = 2;     // frames held back against network jitter

    /// <summary>About how long a frame waits here before it is mixed: the depth held back against jitter.</summary>
    public const long PlayoutDelayMicros = TargetDepth * AudioFormat.FrameMillis * 1000;
    private const int MaxDepth = 8;        // beyond this, old frames are dropped
    private const int MaxConcealed = 5;    // 100 ms of PLC, then silence

    private readonly Lock _lock = new();   // the buffer's state only: never held across the decoder
    private readonly byte[][] _payloads = new byte[Capacity][];
    private readonly int[] _lengths = new int[Capacity];
    private readonly ushort[] _sequences = new ushort[Capacity];
    private readonly bool[] _present = new bool[Capacity];
    private readonly IAudioFrameDecoder _decoder;          // the audio tick's alone
    private readonly byte[] _decodeInput = new byte[MaxPacket];
    private readonly short[] _decodeBuffer = new short[OpusDecoder.MaxSamplesPerPacket];
    private bool _started;
    private bool _playing;
    private ushort _next;
    private ushort _highest;
    private int _concealed;
    private long _packetsReceived;
    private long _packetsDropped;
    private long _framesConcealed;
    private int _lastAudioLevel = -1;
    private uint _ssrc;

    public AudioReceiver(int payloadType, int? audioLevelExtensionId, IAudioFrameDecoder? decoder = null)
    {
        _decoder = decoder ?? new OpusDecoder();
        PayloadType = payloadType;
        AudioLevelExtensionId = audioLevelExtensionId;
        for (int i = 0; i < Capacity; i++)
        {
            _payloads[i] = new byte[MaxPacket];
        }
    }

    public int PayloadType { get; }

    public int? AudioLevelExtensionId { get; }

    public uint Ssrc => Volatile.Read(ref _ssrc);

    public long PacketsReceived => Volatile.Read(ref _packetsReceived);

    /// <summary>
    /// Packets that never reached the decoder: too large, arrived after their time was concealed,
    /// overwritten or thrown out by a jump in sequence numbers, or trimmed from a buffer grown too deep.
    /// </summary>
    public long PacketsDropped => Volatile.Read(ref _packetsDropped);

    public long FramesConcealed => Volatile.Read(ref _framesConcealed);

    /// <summary>The sender's own RFC 6464 level of its last packet (0 loudest … 127 silent), if it sends one.</summary>
    public int? LastAudioLevel => Volatile.Read(ref _lastAudioLevel) is >= 0 and var level ? level : null;

    /// <summary>An RTP packet of this stream, on the transport's receive loop: copied into its slot, nothing more.</summary>
    public void OnRtp(in RtpPacket rtp)
    {
        var payload = rtp.Payload;
        if (payload.Length > MaxPacket)
        {
            Dropped(1);
            return;
        }
        lock (_lock)
        {
            _ssrc = rtp.Ssrc;
            ushort seq = rtp.SequenceNumber;
            if (!_started)
            {
                _started = true;
                _next = seq;
                _highest = seq;
            }
            int ahead = (short)(seq - _next);
            if (ahead < 0 && ahead > -Capacity)
            {
                Dropped(1);
                return; // too late: its time was concealed already
            }
            if (ahead >= Capacity || ahead <= -Capacity)
            {
                Restart(seq);
            }
            int slot = seq & (Capacity - 1);
            if (_present[slot])
            {
                Dropped(1); // a duplicate, or one a whole buffer old that was never played
            }
            payload.CopyTo(_payloads[slot]);
            _lengths[slot] = payload.Length;
            _sequences[slot] = seq;
            _present[slot] = true;
            if ((short)(seq - _highest) > 0)
            {
                _highest = seq;
            }
            _packetsReceived++;
            if (AudioLevelExtensionId is { } id && rtp.TryGetExtension(id, out var level) && level.Length >= 1)
            {
                _lastAudioLevel = level[0] & 0x7F;
            }
        }
    }

    /// <summary>
    /// Writes the next 20 ms (960 samples at 48 kHz mono) into <paramref name="pcm"/>, on the room's
    /// audio tick (one caller at a time). False when the participant has nothing to play: absent,
    /// muted at the source, or gone quiet.
    /// </summary>
    public bool TryReadFrame(Span<short> pcm)
    {
        int length;
        lock (_lock)
        {
            if (!TryTakeNext(out length))
            {
                return false;
            }
        }
        // Outside the lock: the receive loop may store the packets that follow meanwhile.
        if (length < 0)
        {
            return Conceal(pcm);
        }
        int samples = _decoder.Decode(_decodeInput.AsSpan(0, length), _decodeBuffer);
        if (samples <= 0)
        {
            return Conceal(pcm);
        }
        CopyFrame(_decodeBuffer.AsSpan(0, samples), pcm);
        return true;
    }

    public void Dispose() => _decoder.Dispose();

    /// <summary>
    /// Moves the buffer on one frame. False: nothing to play. True with <paramref name="length"/> the
    /// next packet's bytes (copied to <c>_decodeInput</c>), or -1 to conceal a gap. Under the lock.
    /// </summary>
    private bool TryTakeNext(out int length)
    {
        length = -1;
        if (!_started)
        {
            return false;
        }
        int depth = (short)(_highest - _next) + 1;
        if (!_playing)
        {
            // Hold back a little before starting, so network jitter does not starve us at once.
            if (depth < TargetDepth)
            {
                return false;
            }
            _playing = true;
        }
        while (depth > MaxDepth)
        {
            int trimmed = _next & (Capacity - 1);
            if (_present[trimmed])
            {
                _present[trimmed] = false;
                Dropped(1);
            }
            _next++;
            depth--;
        }
        if (depth <= 0)
        {
            // Nothing buffered: conceal a short gap, then fall silent until packets come again.
            if (_concealed++ >= MaxConcealed)
            {
                _playing = false;
                return false;
            }
            return true;
        }
        int slot = _next & (Capacity - 1);
        bool here = _present[slot] && _sequences[slot] == _next;
        _next++;
        if (!here)
        {
            return true;
        }
        _present[slot] = false;
        _concealed = 0;
        length = _lengths[slot];
        _payloads[slot].AsSpan(0, length).CopyTo(_decodeInput);
        return true;
    }

    private bool Conceal(Span<short> pcm)
    {
        Interlocked.Increment(ref _framesConcealed);
        int samples = _decoder.DecodeLost(_decodeBuffer);
        if (samples <= 0)
        {
            pcm[..AudioFormat.SamplesPerFrame].Clear();
            return true;
        }
        CopyFrame(_decodeBuffer.AsSpan(0, samples), pcm);
        return true;
    }

    private static void CopyFrame(ReadOnlySpan<short> decoded, Span<short> pcm)
    {
        // Senders may pack 10 or 40 ms; the room works in 20 ms. Pad or cut to one frame.
        var frame = pcm[..AudioFormat.SamplesPerFrame];
        int n = Math.Min(decoded.Length, frame.Length);
        decoded[..n].CopyTo(frame);
        frame[n..].Clear();
    }

    private void Dropped(int packets)
    {
        Interlocked.Add(ref _packetsDropped, packets);
        McuMetrics.AudioPacketsDropped.Add(packets);
    }

    /// <summary>Starts over at <paramref name="seq"/>: what was buffered is dropped. Under the lock.</summary>
    private void Restart(ushort seq)
    {
        int thrown = 0;
        for (int i = 0; i < Capacity; i++)
        {
            thrown += _present[i] ? 1 : 0;
        }
        if (thrown > 0)
        {
            Dropped(thrown);
        }
        Array.Clear(_present);
        _next = seq;
        _highest = seq;
        _playing = false;
    }
}
