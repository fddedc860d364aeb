// RFC 3550 §6.4.1 report block:
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |                 SSRC_1 (SSRC of first source)                 |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | fraction lost |       cumulative number of packets lost       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           extended highest sequence number received           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                      interarrival jitter                      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                         last SR (LSR)                         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                   delay since last SR (DLSR)                  |
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
using System.Buffers.Binary;

namespace Mcu.Rtc.Rtcp;

public readonly record struct ReportBlock(
    uint Ssrc,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSequence,
    uint Jitter,
    uint LastSenderReport,
    uint DelaySinceLastSenderReport)
{
    public const int Length = 24;
    private const int FractionLostOffset = 4;
    private const int CumulativeLostOffset = 5;
    private const int HighestSequenceOffset = 8;
    private const int JitterOffset = 12;
    private const int LastSenderReportOffset = 16;
    private const int DelayOffset = 20;
    private const int MaxCumulativeLost = 0x7FFFFF;
    private const int MinCumulativeLost = -0x800000;

    public int SerializedLength => Length;

    public static bool TryParse(ReadOnlySpan<byte> source, out ReportBlock block)
    {
        block = default;
        if (source.Length < Length)
        {
            return false;
        }

        // Cumulative lost is a signed 24-bit count (duplicates can make it negative).
        int lost = (source[CumulativeLostOffset] << 16) | (source[CumulativeLostOffset + 1] << 8) | source[CumulativeLostOffset + 2];
        lost = (lost << 8) >> 8;
        block = new ReportBlock(
            BinaryPrimitives.ReadUInt32BigEndian(source),
            source[FractionLostOffset],
            lost,
            BinaryPrimitives.ReadUInt32BigEndian(source[HighestSequenceOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[JitterOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[LastSenderReportOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[DelayOffset..]));
        return true;
    }

    public int WriteTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            return 0;
        }

        int lost = Math.Clamp(CumulativeLost, MinCumulativeLost, MaxCumulativeLost);
        BinaryPrimitives.WriteUInt32BigEndian(destination, Ssrc);
        destination[FractionLostOffset] = FractionLost;
        destination[CumulativeLostOffset] = (byte)(lost >> 16);
        destination[CumulativeLostOffset + 1] = (byte)(lost >> 8);
        destination[CumulativeLostOffset + 2] = (byte)lost;
        BinaryPrimitives.WriteUInt32BigEndian(destination[HighestSequenceOffset..], ExtendedHighestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[JitterOffset..], Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(destination[LastSenderReportOffset..], LastSenderReport);
        BinaryPrimitives.WriteUInt32BigEndian(destination[DelayOffset..], DelaySinceLastSenderReport);
        return Length;
    }

    /// <summary>Writes <paramref name="blocks"/> back to back; returns bytes written.</summary>
    internal static int WriteAll(ReadOnlySpan<ReportBlock> blocks, Span<byte> destination)
    {
        int offset = 0;
        foreach (ReportBlock block in blocks)
        {
            offset += block.WriteTo(destination[offset..]);
        }

        return offset;
    }
}
