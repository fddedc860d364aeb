namespace Mcu.Rtc.Packetization;

/*
 RFC 7587 §4.2: an Opus RTP payload is exactly one Opus packet (RFC 6716 §3), so Opus needs no
 packetizer or depacketizer: payload = frame, timestamp advances by the packet's duration at 48 kHz.
 What this file adds is validation before the decoder, and the duration.

 RFC 6716 §3.1, TOC byte:
      0
      0 1 2 3 4 5 6 7
     +-+-+-+-+-+-+-+-+
     | config  |s| c |     config: mode, bandwidth, frame size; s: stereo;
     +-+-+-+-+-+-+-+-+     c: 0 = one frame, 1 = two equal, 2 = two sized, 3 = M frames

 RFC 6716 §3.2.5, code 3 frame count byte (after the TOC):
      0
      0 1 2 3 4 5 6 7
     +-+-+-+-+-+-+-+-+
     |v|p|     M     |     v: VBR (M-1 frame lengths follow), p: padding follows, M: frame count
     +-+-+-+-+-+-+-+-+
*/

/// <summary>An Opus packet checked against RFC 6716 §3.4 (requirements R1-R7), with its duration.</summary>
public readonly struct OpusPacket
{
    public const int SampleRate = 48_000;
    public const int MaxFrameLength = 1275;

    // R5: a packet holds at most 120 ms of audio.
    private const int MaxPacketSamples = SampleRate * 120 / 1000;
    private const int TocLength = 1;
    private const byte StereoBit = 0x04;
    private const byte CodeMask = 0x03;
    private const byte VbrBit = 0x80;
    private const byte PaddingBit = 0x40;
    private const byte FrameCountMask = 0x3F;

    private readonly byte _toc;

    private OpusPacket(byte toc, int frameCount)
    {
        _toc = toc;
        FrameCount = frameCount;
    }

    /// <summary>Configuration number 0-31 (RFC 6716 Table 2).</summary>
    public int Config => _toc >> 3;
    public bool IsStereo => (_toc & StereoBit) != 0;
    public int FrameCount { get; }

    /// <summary>SILK-only for configs 0-11, hybrid for 12-15, CELT-only for 16-31.</summary>
    public bool IsSilkOnly => Config < 12;
    public bool IsCeltOnly => Config >= 16;

    /// <summary>Samples per frame at 48 kHz: 120 (2.5 ms) to 2880 (60 ms).</summary>
    public int SamplesPerFrame => SamplesPerFrameOf(_toc);

    /// <summary>The packet's duration at 48 kHz: what the RTP timestamp advances by (RFC 7587 §4.1).</summary>
    public int DurationSamples => SamplesPerFrame * FrameCount;

    public static bool TryParse(ReadOnlySpan<byte> packet, out OpusPacket opus)
    {
        opus = default;
        if (packet.IsEmpty)
        {
            return false; // R1
        }
        byte toc = packet[0];
        var rest = packet[TocLength..];
        int frameCount;
        switch (toc & CodeMask)
        {
            case 0:
                frameCount = 1;
                if (rest.Length > MaxFrameLength)
                {
                    return false; // R2
                }
                break;
            case 1:
                frameCount = 2;
                if (rest.Length % 2 != 0 || rest.Length / 2 > MaxFrameLength)
                {
                    return false; // R3
                }
                break;
            case 2:
                frameCount = 2;
                if (!TryReadFrameLength(rest, out int first, out int used)
                    || first > rest.Length - used || rest.Length - used - first > MaxFrameLength)
                {
                    return false; // R4
                }
                break;
            default:
                if (!TryCheckCode3(toc, rest, out frameCount))
                {
                    return false;
                }
                break;
        }
        opus = new OpusPacket(toc, frameCount);
        return true;
    }

    private static int SamplesPerFrameOf(byte toc)
    {
        int config = toc >> 3;
        if (config < 12)
        {
            return (config & 3) == 0 ? 480 : 960 * (config & 3); // 10, 20, 40, 60 ms
        }
        if (config < 16)
        {
            return (config & 1) == 0 ? 480 : 960; // 10, 20 ms
        }
        return 120 << (config & 3); // 2.5, 5, 10, 20 ms
    }

    /// <summary>RFC 6716 §3.2.1: one byte below 252, else two bytes (first + 4 * second).</summary>
    private static bool TryReadFrameLength(ReadOnlySpan<byte> data, out int length, out int used)
    {
        length = 0;
        used = 0;
        if (data.IsEmpty)
        {
            return false;
        }
        if (data[0] < 252)
        {
            length = data[0];
            used = 1;
            return true;
        }
        if (data.Length < 2)
        {
            return false;
        }
        length = data[0] + 4 * data[1];
        used = 2;
        return true;
    }

    private static bool TryCheckCode3(byte toc, ReadOnlySpan<byte> rest, out int frameCount)
    {
        frameCount = 0;
        if (rest.IsEmpty)
        {
            return false; // R6
        }
        byte countByte = rest[0];
        int count = countByte & FrameCountMask;
        if (count == 0 || count * SamplesPerFrameOf(toc) > MaxPacketSamples)
        {
            return false; // R5
        }
        int offset = 1;
        int padding = 0;
        if ((countByte & PaddingBit) != 0)
        {
            // Each 255 means 254 bytes of padding and one more length byte.
            int value;
            do
            {
                if (offset >= rest.Length)
                {
                    return false;
                }
                value = rest[offset++];
                padding += value == 255 ? 254 : value;
            }
            while (value == 255);
        }
        int available = rest.Length - offset - padding;
        if (available < 0)
        {
            return false;
        }
        if ((countByte & VbrBit) != 0)
        {
            // R7: M-1 coded lengths; the last frame takes what remains.
            int total = 0;
            for (int i = 0; i < count - 1; i++)
            {
                if (!TryReadFrameLength(rest[offset..], out int length, out int used) || length > MaxFrameLength)
                {
                    return false;
                }
                offset += used;
                total += length;
            }
            int last = rest.Length - offset - padding - total;
            if (last < 0 || last > MaxFrameLength)
            {
                return false;
            }
        }
        else if (available % count != 0 || available / count > MaxFrameLength)
        {
            return false; // R6
        }
        frameCount = count;
        return true;
    }
}
