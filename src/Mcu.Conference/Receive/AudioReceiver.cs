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
public sealed class AudioReceiver : IDisposable
{
    private const int Capacity = 32;       // a power of two
    private const int MaxPacket = 1500;
    private const int TargetDepth = 2;     // frames held back against network jitter

    /// <summary>About how long a frame waits here before it is mixed: the depth held back against jitter.</summary>
    public const long PlayoutDelayMicros = TargetDepth * AudioFormat.FrameMillis * 1000;
    private const int MaxDepth = 8;        // beyond this, old frames are dropped
    private const int MaxConcealed = 5;    // 100 ms of PLC, then silence

    private readonly Lock _lock = new();
    private readonly byte[][] _payloads = new byte[Capacity][];
    private readonly int[] _lengths = new int[Capacity];
    private readonly ushort[] _sequences = new ushort[Capacity];
    private readonly bool[] _present = new bool[Capacity];
    private readonly IAudioFrameDecoder _decoder;
    private readonly short[] _decodeBuffer = new short[OpusDecoder.MaxSamplesPerPacket];
    private bool _started;
    private bool _playing;
    private ushort _next;
    private ushort _highest;
    private int _concealed;

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

    public uint Ssrc { get; private set; }

    public long PacketsReceived { get; private set; }

    public long FramesConcealed { get; private set; }

    /// <summary>The sender's own RFC 6464 level of its last packet (0 loudest … 127 silent), if it sends one.</summary>
    public int? LastAudioLevel { get; private set; }

    public void OnRtp(in RtpPacket rtp)
    {
        var payload = rtp.Payload;
        if (payload.Length > MaxPacket)
        {
            return;
        }
        lock (_lock)
        {
            Ssrc = rtp.Ssrc;
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
                return; // too late: its time was concealed already
            }
            if (ahead >= Capacity || ahead <= -Capacity)
            {
                Restart(seq);
            }
            int slot = seq & (Capacity - 1);
            payload.CopyTo(_payloads[slot]);
            _lengths[slot] = payload.Length;
            _sequences[slot] = seq;
            _present[slot] = true;
            if ((short)(seq - _highest) > 0)
            {
                _highest = seq;
            }
            PacketsReceived++;
            if (AudioLevelExtensionId is { } id && rtp.TryGetExtension(id, out var level) && level.Length >= 1)
            {
                LastAudioLevel = level[0] & 0x7F;
            }
        }
    }

    /// <summary>
    /// Writes the next 20 ms (960 samples at 48 kHz mono) into <paramref name="pcm"/>.
    /// False when the participant has nothing to play: absent, muted at the source, or gone quiet.
    /// </summary>
    public bool TryReadFrame(Span<short> pcm)
    {
        lock (_lock)
        {
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
                _present[_next & (Capacity - 1)] = false;
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
                return Conceal(pcm);
            }
            int slot = _next & (Capacity - 1);
            bool here = _present[slot] && _sequences[slot] == _next;
            _next++;
            if (!here)
            {
                return Conceal(pcm);
            }
            _present[slot] = false;
            _concealed = 0;
            int samples = _decoder.Decode(_payloads[slot].AsSpan(0, _lengths[slot]), _decodeBuffer);
            if (samples <= 0)
            {
                return Conceal(pcm);
            }
            CopyFrame(_decodeBuffer.AsSpan(0, samples), pcm);
            return true;
        }
    }

    public void Dispose() => _decoder.Dispose();

    private bool Conceal(Span<short> pcm)
    {
        FramesConcealed++;
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

    private void Restart(ushort seq)
    {
        Array.Clear(_present);
        _next = seq;
        _highest = seq;
        _playing = false;
    }
}
