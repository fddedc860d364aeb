// RFC 5104 §4.3.1 Full Intra Request (PSFB, FMT=4); media SSRC is unused (0) and each
// FCI entry names a target:
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|  FMT=4  |    PT=206     |          length               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  SSRC of packet sender                        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  SSRC of media source (0)                     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                              SSRC                             |  (FCI, one or more)
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Seq nr.       |    Reserved                                   |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
using System.Buffers.Binary;

namespace Mcu.Rtc.Rtcp;

public readonly ref struct FullIntraRequest
{
    public const int FixedLength = 12;
    private const int EntryLength = 8;
    private const int SenderSsrcOffset = 4;
    private const int MediaSsrcOffset = 8;

    private readonly ReadOnlySpan<byte> _rawEntries;
    private readonly uint _targetSsrc;
    private readonly byte _sequenceNumber;
    private readonly bool _parsed;

    /// <summary>A FIR asking <paramref name="targetSsrc"/> for a key frame; bump the sequence number per new request.</summary>
    public FullIntraRequest(uint senderSsrc, uint targetSsrc, byte sequenceNumber)
    {
        SenderSsrc = senderSsrc;
        _targetSsrc = targetSsrc;
        _sequenceNumber = sequenceNumber;
    }

    private FullIntraRequest(uint senderSsrc, uint mediaSsrc, ReadOnlySpan<byte> rawEntries)
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        _rawEntries = rawEntries;
        _parsed = true;
    }

    public uint SenderSsrc { get; }
    public uint MediaSsrc { get; }
    public int EntryCount => _parsed ? _rawEntries.Length / EntryLength : 1;
    public int SerializedLength => FixedLength + (EntryCount * EntryLength);

    public (uint Ssrc, byte SequenceNumber) GetEntry(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, EntryCount);
        if (!_parsed)
        {
            return (_targetSsrc, _sequenceNumber);
        }

        ReadOnlySpan<byte> entry = _rawEntries[(index * EntryLength)..];
        return (BinaryPrimitives.ReadUInt32BigEndian(entry), entry[4]);
    }

    public static bool TryParse(ReadOnlySpan<byte> source, out FullIntraRequest fir)
    {
        fir = default;
        if (!RtcpHeader.TryGetPacket(source, RtcpPacketType.PayloadSpecificFeedback, RtcpPacketType.FullIntraRequestFormat, out _, out ReadOnlySpan<byte> packet)
            || packet.Length < FixedLength + EntryLength)
        {
            return false;
        }

        int entries = (packet.Length - FixedLength) / EntryLength;
        fir = new FullIntraRequest(
            BinaryPrimitives.ReadUInt32BigEndian(packet[SenderSsrcOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[MediaSsrcOffset..]),
            packet.Slice(FixedLength, entries * EntryLength));
        return true;
    }

    public int WriteTo(Span<byte> destination)
    {
        int length = SerializedLength;
        if (destination.Length < length)
        {
            return 0;
        }

        RtcpHeader.Write(destination, RtcpPacketType.FullIntraRequestFormat, RtcpPacketType.PayloadSpecificFeedback, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[SenderSsrcOffset..], SenderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[MediaSsrcOffset..], MediaSsrc);
        int offset = FixedLength;
        for (int i = 0; i < EntryCount; i++, offset += EntryLength)
        {
            (uint ssrc, byte sequence) = GetEntry(i);
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], ssrc);
            destination[offset + 4] = sequence;
            destination.Slice(offset + 5, 3).Clear();
        }

        return length;
    }
}
