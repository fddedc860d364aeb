using Mcu.Rtc.Packetization;
using Mcu.Rtc.Rtp;

namespace Mcu.Fuzz.Targets;

/// <summary>
/// Depacketizers and the receive path of one stream. An input is a run of RTP payloads, each
/// as 2 bytes length (11 bits used), 2 bytes sequence number, 1 byte flags (bit 0 marker,
/// bits 1-7 timestamp), then the payload: the fuzzer controls order, gaps and frame boundaries.
/// </summary>
internal static class MediaTargets
{
    private const int MaxFrameSize = 64 * 1024;
    private const int RecordHeader = 5;

    public static void Vp8(byte[] data) => Depacketize(Vp8Depacketizer.CreateAssembler(MaxFrameSize), data);

    public static void H264(byte[] data) => Depacketize(H264Depacketizer.CreateAssembler(MaxFrameSize), data);

    /// <summary>
    /// The picture sizes read before decoding, to refuse oversize input: an H.264 SPS (exp-Golomb,
    /// emulation prevention, cropping) or an Annex B access unit (first byte even), and a VP8
    /// frame header (the first byte picks, modulo 3). An accepted H.264 size must be positive.
    /// </summary>
    public static void PictureSize(byte[] data)
    {
        if (data.Length == 0)
        {
            return;
        }
        var input = data.AsSpan(1);
        int width, height;
        bool read;
        switch (data[0] % 3)
        {
            case 0:
                read = H264SpsSize.TryRead(input, out width, out height);
                break;
            case 1:
                read = H264SpsSize.TryReadFromAccessUnit(input, out width, out height);
                break;
            default:
                // VP8's 14-bit sizes cannot overflow; a zero size is the decoder's to refuse.
                read = false;
                width = height = 0;
                if (Vp8FrameHeader.TryParse(input, out var header) && header.Width > 16383)
                {
                    throw new FuzzInvariantException($"a VP8 width of {header.Width}");
                }
                break;
        }
        if (read && (width <= 0 || height <= 0))
        {
            throw new FuzzInvariantException($"accepted a picture size of {width}x{height}");
        }
    }

    /// <summary>
    /// Packets through the jitter buffer (reordering, loss, NACK timing) and out into a frame
    /// assembler, as a receive stream does. Record: 2 bytes sequence number, 1 byte of elapsed
    /// milliseconds, 1 byte flags (bit 0 marker, bits 1-7 timestamp), 1 byte length, payload;
    /// the first input byte picks VP8 or H.264.
    /// </summary>
    public static void JitterToFrames(byte[] data)
    {
        if (data.Length == 0)
        {
            return;
        }
        var assembler = (data[0] & 1) == 0 ? Vp8Depacketizer.CreateAssembler(MaxFrameSize) : H264Depacketizer.CreateAssembler(MaxFrameSize);
        var buffer = new JitterBuffer();
        Span<ushort> nacks = stackalloc ushort[64];
        long now = 0;
        int offset = 1;
        while (offset + 5 <= data.Length)
        {
            ushort seq = (ushort)(data[offset] << 8 | data[offset + 1]);
            now += data[offset + 2];
            int length = Math.Min(data[offset + 4], data.Length - offset - 5);
            // What the buffer stores: the flags byte and the payload, as a packet stands for both.
            buffer.Insert(data.AsSpan(offset + 3, 1 + length), seq, now);
            offset += 5 + length;
            int count = buffer.CollectNacks(now, nacks);
            if (count < 0 || count > nacks.Length)
            {
                throw new FuzzInvariantException($"CollectNacks returned {count}");
            }
            Drain(buffer, assembler, now);
        }
        // Time runs on with nothing arriving: every held packet must come out.
        now += 10_000;
        Drain(buffer, assembler, now);
    }

    private static void Drain(JitterBuffer buffer, FrameAssembler assembler, long now)
    {
        while (buffer.TryDequeue(now, out var packet))
        {
            if (packet.Data.IsEmpty)
            {
                throw new FuzzInvariantException("the jitter buffer handed out an empty packet");
            }
            // A skipped gap shows up as a sequence gap to the assembler, which drops that frame.
            byte flags = packet.Data[0];
            assembler.Push(packet.Data[1..], packet.SequenceNumber, (uint)(flags >> 1), marker: (flags & 1) != 0);
            TakeFrames(assembler);
        }
    }

    private static void Depacketize(FrameAssembler assembler, byte[] data)
    {
        int offset = 0;
        while (offset + RecordHeader <= data.Length)
        {
            int length = Math.Min(data.Length - offset - RecordHeader, (data[offset] << 8 | data[offset + 1]) & 0x7FF);
            ushort seq = (ushort)(data[offset + 2] << 8 | data[offset + 3]);
            byte flags = data[offset + 4];
            assembler.Push(data.AsSpan(offset + RecordHeader, length), seq, (uint)(flags >> 1), marker: (flags & 1) != 0);
            TakeFrames(assembler);
            offset += RecordHeader + length;
        }
    }

    private static void TakeFrames(FrameAssembler assembler)
    {
        while (assembler.TryTakeFrame(out var frame))
        {
            if (frame.Data.IsEmpty || frame.Data.Length > MaxFrameSize)
            {
                throw new FuzzInvariantException($"a frame of {frame.Data.Length} bytes");
            }
        }
    }
}
