using Mcu.Media.Audio;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Rtc.Packetization;
using Mcu.Rtc.Rtp;

namespace Mcu.Conference.Receive;

/// <summary>
/// One participant's incoming Opus: a small reorder buffer of 20 ms frames, placed by RTP
/// timestamp, that the room's audio tick drains one frame at a time. What is missing is told
/// apart by sequence number: a hole with packets lost in it is loss, rebuilt from the copy in a
/// later RED packet (RFC 2198), else from the next packet's in-band FEC, else concealed (PLC);
/// a hole with none lost is the sender's DTX (RFC 7587 §3.1.3): silence that costs no decode and
/// no mix slot, as do DTX packets and the comfort noise sent during it. A participant who sends
/// nothing is silent, not concealed forever; a buffer that grows (the sender's clock runs fast,
/// or a burst arrived) is trimmed back so delay stays low.
/// </summary>
/// <remarks>
/// The transport's receive loop, which serves every room, only copies a packet into its slot
/// (<see cref="OnRtp"/>); the decode runs on the room's audio tick (<see cref="TryReadFrame"/>)
/// outside the lock, so a slow decoder holds up its own room and never the socket. The buffer
/// is bounded: what it cannot use (too late, too far ahead, trimmed) is dropped and counted.
/// Senders are expected to pack 20 ms (what browsers send); longer packets are cut to 20 ms.
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

    private enum Step { Nothing, Decode, Fec, Conceal }

    private readonly Lock _lock = new();   // the buffer's state only: never held across the decoder
    private readonly byte[][] _payloads = new byte[Capacity][];
    private readonly int[] _lengths = new int[Capacity];
    private readonly ushort[] _sequences = new ushort[Capacity];
    private readonly long[] _frames = new long[Capacity];
    private readonly bool[] _present = new bool[Capacity];
    private readonly bool[] _fromRed = new bool[Capacity];
    private readonly RedBlock[] _blocks = new RedBlock[RedPayload.MaxBlocks]; // the receive loop's alone
    private readonly IAudioFrameDecoder _decoder;          // the audio tick's alone
    private readonly byte[] _decodeInput = new byte[MaxPacket];
    private readonly short[] _decodeBuffer = new short[OpusDecoder.MaxSamplesPerPacket];
    private bool _started;
    private bool _playing;
    private bool _inDtx;
    private bool _lastVoiceless;           // the last frame decoded had no voice (SILK's VAD)
    private int _heldTicks;
    private long _next;                    // the frame the tick plays next
    private long _highest;                 // the newest frame received, at _highestTimestamp
    private uint _highestTimestamp;
    private ushort _lastSequence;          // of the last frame played, or passed as DTX
    private int _concealed;
    private long _packetsReceived;
    private long _packetsDropped;
    private long _framesDecoded;
    private long _framesConcealed;
    private long _framesRecoveredByFec;
    private long _framesRecoveredByRed;
    private long _framesSilent;
    private int _lastAudioLevel = -1;
    private uint _ssrc;
    private int _voiceSettings;            // bit 0 noise suppression, bit 1 automatic gain; set from any thread
    private VoiceProcessor? _voice;        // the audio tick's alone, made when first wanted
    private bool _voiceActive;

    /// <param name="payloadType">Opus's payload type.</param>
    /// <param name="redPayloadType">Opus in RED (RFC 2198), if negotiated.</param>
    /// <param name="lossRecovery">Use RED's copies and in-band FEC to rebuild lost frames; off, losses are concealed.</param>
    public AudioReceiver(int payloadType, int? audioLevelExtensionId, IAudioFrameDecoder? decoder = null,
        int? redPayloadType = null, bool lossRecovery = true)
    {
        _decoder = decoder ?? new OpusDecoder();
        PayloadType = payloadType;
        RedPayloadType = redPayloadType;
        AudioLevelExtensionId = audioLevelExtensionId;
        LossRecovery = lossRecovery;
        for (int i = 0; i < Capacity; i++)
        {
            _payloads[i] = new byte[MaxPacket];
        }
    }

    public int PayloadType { get; }

    public int? RedPayloadType { get; }

    public int? AudioLevelExtensionId { get; }

    public bool LossRecovery { get; }

    public uint Ssrc => Volatile.Read(ref _ssrc);

    public long PacketsReceived => Volatile.Read(ref _packetsReceived);

    /// <summary>
    /// Packets that never reached the decoder: too large or malformed, arrived after their time was
    /// concealed, overwritten or thrown out by a jump in timestamps, or trimmed from a buffer grown too deep.
    /// </summary>
    public long PacketsDropped => Volatile.Read(ref _packetsDropped);

    /// <summary>Frames decoded from a packet (the sender's own or RED's copy of it).</summary>
    public long FramesDecoded => Volatile.Read(ref _framesDecoded);

    /// <summary>Frames lost and made up by concealment (PLC): what loss recovery could not rebuild.</summary>
    public long FramesConcealed => Volatile.Read(ref _framesConcealed);

    /// <summary>Lost frames rebuilt from the next packet's in-band FEC.</summary>
    public long FramesRecoveredByFec => Volatile.Read(ref _framesRecoveredByFec);

    /// <summary>Lost frames rebuilt from a later RED packet's copy (counted in <see cref="FramesDecoded"/> too).</summary>
    public long FramesRecoveredByRed => Volatile.Read(ref _framesRecoveredByRed);

    /// <summary>Frames of the sender's DTX (its silence, its comfort noise): neither decoded nor mixed.</summary>
    public long FramesSilent => Volatile.Read(ref _framesSilent);

    /// <summary>Noise suppression on this participant's audio before the mix.</summary>
    public bool NoiseSuppression => (Volatile.Read(ref _voiceSettings) & 1) != 0;

    /// <summary>Automatic gain towards a common level on this participant's audio before the mix.</summary>
    public bool AutoGain => (Volatile.Read(ref _voiceSettings) & 2) != 0;

    /// <summary>Whether the audio processing heard voice in the last frame (false while it is off).</summary>
    public bool VoiceActive => Volatile.Read(ref _voiceActive);

    /// <summary>Turns noise suppression and automatic gain on or off from the next frame; from any thread.</summary>
    public void SetVoiceProcessing(bool noiseSuppression, bool autoGain) =>
        Volatile.Write(ref _voiceSettings, (noiseSuppression ? 1 : 0) | (autoGain ? 2 : 0));

    /// <summary>The sender's own RFC 6464 level of its last packet (0 loudest … 127 silent), if it sends one.</summary>
    public int? LastAudioLevel => Volatile.Read(ref _lastAudioLevel) is >= 0 and var level ? level : null;

    /// <summary>An RTP packet of this stream, on the transport's receive loop: copied into its slot, nothing more.</summary>
    public void OnRtp(in RtpPacket rtp)
    {
        var payload = rtp.Payload;
        lock (_lock)
        {
            _ssrc = rtp.Ssrc;
            _packetsReceived++;
            if (AudioLevelExtensionId is { } id && rtp.TryGetExtension(id, out var level) && level.Length >= 1)
            {
                _lastAudioLevel = level[0] & 0x7F;
            }
            if (rtp.PayloadType != RedPayloadType)
            {
                Store(payload, rtp.SequenceNumber, rtp.Timestamp, fromRed: false);
                return;
            }
            if (!RedPayload.TryParse(payload, _blocks, out int count) || _blocks[count - 1].PayloadType != PayloadType)
            {
                Dropped(1);
                return;
            }
            // The primary first: it places the stream; then the copies of the packets before it, newest first.
            if (!Store(_blocks[count - 1].In(payload), rtp.SequenceNumber, rtp.Timestamp, fromRed: false) || !LossRecovery)
            {
                return;
            }
            for (int i = count - 2; i >= 0; i--)
            {
                var block = _blocks[i];
                if (block.PayloadType == PayloadType && block.Length > 0)
                {
                    ushort sequence = (ushort)(rtp.SequenceNumber - (count - 1 - i));
                    Store(block.In(payload), sequence, rtp.Timestamp - (uint)block.TimestampOffset, fromRed: true);
                }
            }
        }
    }

    /// <summary>
    /// Writes the next 20 ms (960 samples at 48 kHz mono) into <paramref name="pcm"/>, on the room's
    /// audio tick (one caller at a time). False when the participant has nothing to play: absent,
    /// muted at the source, gone quiet, or in DTX.
    /// </summary>
    public bool TryReadFrame(Span<short> pcm)
    {
        Step step;
        int length;
        lock (_lock)
        {
            step = TakeNext(out length);
        }
        // Outside the lock: the receive loop may store the packets that follow meanwhile.
        if (step == Step.Nothing)
        {
            return false;
        }
        Produce(step, length, pcm);
        Clean(pcm[..AudioFormat.SamplesPerFrame]);
        return true;
    }

    public void Dispose()
    {
        _decoder.Dispose();
        _voice?.Dispose();
    }

    /// <summary>The frame of a step: decoded, rebuilt from FEC, or concealed.</summary>
    private void Produce(Step step, int length, Span<short> pcm)
    {
        switch (step)
        {
            case Step.Fec:
                int rebuilt = _decoder.DecodeFec(_decodeInput.AsSpan(0, length), _decodeBuffer);
                if (rebuilt <= 0)
                {
                    Conceal(pcm); // the next packet carries no FEC
                    return;
                }
                Interlocked.Increment(ref _framesRecoveredByFec);
                CopyFrame(_decodeBuffer.AsSpan(0, rebuilt), pcm);
                return;
            case Step.Decode:
                int samples = _decoder.Decode(_decodeInput.AsSpan(0, length), _decodeBuffer);
                if (samples <= 0)
                {
                    Conceal(pcm);
                    return;
                }
                Interlocked.Increment(ref _framesDecoded);
                CopyFrame(_decodeBuffer.AsSpan(0, samples), pcm);
                return;
            default:
                Conceal(pcm);
                return;
        }
    }

    /// <summary>Noise suppression and automatic gain, when on, on the audio tick (the processor keeps state across frames).</summary>
    private void Clean(Span<short> frame)
    {
        int settings = Volatile.Read(ref _voiceSettings);
        if (settings == 0)
        {
            Volatile.Write(ref _voiceActive, false);
            return;
        }
        bool noiseSuppression = (settings & 1) != 0, autoGain = (settings & 2) != 0;
        if (_voice is null)
        {
            _voice = new VoiceProcessor(noiseSuppression, autoGain);
        }
        else
        {
            _voice.Configure(noiseSuppression, autoGain);
        }
        Volatile.Write(ref _voiceActive, _voice.Process(frame));
    }

    /// <summary>Stores one frame's payload; false when it was dropped. Under the lock.</summary>
    private bool Store(ReadOnlySpan<byte> payload, ushort sequence, uint timestamp, bool fromRed)
    {
        if (payload.Length > MaxPacket)
        {
            Dropped(1);
            return false;
        }
        if (!_started)
        {
            if (fromRed)
            {
                return false;
            }
            _started = true;
            _next = 0;
            _highest = 0;
            _highestTimestamp = timestamp;
            _lastSequence = (ushort)(sequence - 1);
        }
        long frame = FrameOf(timestamp);
        long ahead = frame - _next;
        if (ahead < 0 && ahead > -Capacity)
        {
            if (!fromRed)
            {
                Dropped(1); // too late: its time was played or concealed already
            }
            return false; // (a copy of what was played already is the usual case, not worth counting)
        }
        if (ahead >= Capacity || ahead <= -Capacity)
        {
            if (fromRed)
            {
                return false;
            }
            Restart(timestamp, sequence);
            frame = 0;
        }
        int slot = (int)(frame & (Capacity - 1));
        if (_present[slot])
        {
            if (_frames[slot] == frame && fromRed)
            {
                return false; // the packet itself came: its copy adds nothing
            }
            if (_frames[slot] != frame || !_fromRed[slot])
            {
                Dropped(1); // a duplicate, or one a whole buffer old that was never played
            }
        }
        payload.CopyTo(_payloads[slot]);
        _lengths[slot] = payload.Length;
        _sequences[slot] = sequence;
        _frames[slot] = frame;
        _present[slot] = true;
        _fromRed[slot] = fromRed;
        if (frame > _highest)
        {
            _highest = frame;
            _highestTimestamp = timestamp;
        }
        return true;
    }

    /// <summary>The 20 ms frame a timestamp falls in, counted from the first packet; wraps safely.</summary>
    private long FrameOf(uint timestamp)
    {
        int delta = (int)(timestamp - _highestTimestamp);
        int half = AudioFormat.SamplesPerFrame / 2;
        long frames = delta >= 0 ? (delta + half) / AudioFormat.SamplesPerFrame : -((-(long)delta + half) / AudioFormat.SamplesPerFrame);
        return _highest + frames;
    }

    /// <summary>
    /// Moves the buffer on one frame and says what the tick does with it; for Decode and Fec the
    /// packet's bytes are copied to <c>_decodeInput</c> (<paramref name="length"/>). Under the lock.
    /// </summary>
    private Step TakeNext(out int length)
    {
        length = 0;
        if (!_started)
        {
            return Step.Nothing;
        }
        if (!_playing)
        {
            // Start (or start again after silence) at the first frame buffered, or at the frames lost
            // just before it (as many as sequence numbers are missing), held back a little so network
            // jitter does not starve us at once.
            long first = _next;
            while (first <= _highest && !IsHere(first))
            {
                first++;
            }
            if (first > _highest)
            {
                return Step.Nothing;
            }
            int lost = (ushort)(_sequences[first & (Capacity - 1)] - _lastSequence - 1);
            if (first - _next > lost)
            {
                _inDtx = true; // time passed with no sequence number missing: the sender was in DTX
            }
            _next = Math.Max(_next, first - Math.Min(lost, MaxDepth));
            if (_highest - _next + 1 < TargetDepth && ++_heldTicks < TargetDepth)
            {
                return Step.Nothing;
            }
            _playing = true;
            _heldTicks = 0;
        }
        long depth = _highest - _next + 1;
        while (depth > MaxDepth)
        {
            int trimmed = (int)(_next & (Capacity - 1));
            if (IsHere(_next))
            {
                _present[trimmed] = false;
                _lastSequence = _sequences[trimmed];
                Dropped(1);
            }
            _next++;
            depth--;
        }
        if (depth <= 0)
        {
            // Nothing buffered. After DTX, or after a frame without voice (a DTX sender's comfort noise:
            // it sends one every 400 ms), that is the sender's silence; else conceal a short gap, then
            // fall silent until packets come again.
            if (_inDtx || _lastVoiceless || _concealed++ >= MaxConcealed)
            {
                _playing = false;
                return Step.Nothing;
            }
            return Step.Conceal;
        }
        int slot = (int)(_next & (Capacity - 1));
        if (IsHere(_next))
        {
            _next++;
            _present[slot] = false;
            _concealed = 0;
            _lastSequence = _sequences[slot];
            length = _lengths[slot];
            var packet = _payloads[slot].AsSpan(0, length);
            // RFC 7587 §3.1.3: in DTX a sender sends a TOC-only packet, then a comfort noise frame
            // every 400 ms (SILK, voice activity 0) until speech resumes.
            if (length <= OpusEncoder.DtxPacketMaxSize || (_inDtx && !OpusToc.VoiceActive(packet)))
            {
                _inDtx = true;
                _framesSilent++;
                return Step.Nothing;
            }
            _inDtx = false;
            _lastVoiceless = !OpusToc.VoiceActive(packet);
            if (_fromRed[slot])
            {
                _framesRecoveredByRed++;
            }
            packet.CopyTo(_decodeInput);
            return Step.Decode;
        }

        // A hole with packets after it. As many frames before the next packet as sequence numbers are
        // missing were lost; any before those are the sender's DTX (it sent nothing), so a hole with
        // none missing is all silence, and a packet lost as speech resumes is still rebuilt.
        long after = _next + 1;
        while (!IsHere(after))
        {
            after++;
        }
        int afterSlot = (int)(after & (Capacity - 1));
        int missing = (ushort)(_sequences[afterSlot] - _lastSequence - 1);
        long absent = after - _next;
        _next++;
        if (absent > missing)
        {
            // The sender's silence: start again where its packets resume (above), not a frame at a time.
            _inDtx = true;
            _playing = false;
            _framesSilent++;
            return Step.Nothing;
        }
        if (LossRecovery && after == _next)
        {
            length = _lengths[afterSlot];
            _payloads[afterSlot].AsSpan(0, length).CopyTo(_decodeInput);
            return Step.Fec;
        }
        return Step.Conceal;
    }

    private bool IsHere(long frame)
    {
        int slot = (int)(frame & (Capacity - 1));
        return _present[slot] && _frames[slot] == frame;
    }

    private void Conceal(Span<short> pcm)
    {
        Interlocked.Increment(ref _framesConcealed);
        int samples = _decoder.DecodeLost(_decodeBuffer);
        if (samples <= 0)
        {
            pcm[..AudioFormat.SamplesPerFrame].Clear();
            return;
        }
        CopyFrame(_decodeBuffer.AsSpan(0, samples), pcm);
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

    /// <summary>Starts over at <paramref name="timestamp"/> (frame 0): what was buffered is dropped. Under the lock.</summary>
    private void Restart(uint timestamp, ushort sequence)
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
        _next = 0;
        _highest = 0;
        _highestTimestamp = timestamp;
        _lastSequence = (ushort)(sequence - 1);
        _playing = false;
        _inDtx = false;
        _lastVoiceless = false;
        _heldTicks = 0;
    }
}
