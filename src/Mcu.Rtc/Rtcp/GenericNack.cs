// RFC 4585 §6.1 feedback header and §6.2.1 Generic NACK (RTPFB, FMT=1):
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|  FMT=1  |    PT=205     |          length               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  SSRC of packet sender                        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  SSRC of media source                         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |            PID                |             BLP               |  (one or more)
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// PID is a lost sequence number; bit i of BLP (LSB = 0) reports PID + i + 1 lost.
using System.Buffers.Binary;

namespace Mcu.Rtc.Rtcp;

public readonly ref struct GenericNack
{
    public const int FixedLength = 12;
    private const int ItemLength = 4;
    private const int SenderSsrcOffset = 4;
    private const int MediaSsrcOffset = 8;
    private const int BitmaskSpan = 16;

    private readonly ReadOnlySpan<byte> _rawItems;
    private readonly ReadOnlySpan<ushort> _lost;
    private readonly bool _parsed;

    /// <summary>
    /// A NACK for <paramref name="lostSequenceNumbers"/> in ascending order (modulo 2^16);
    /// runs within 16 of a PID share one PID/BLP item.
    /// </summary>
    public GenericNack(uint senderSsrc, uint mediaSsrc, ReadOnlySpan<ushort> lostSequenceNumbers)
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        _lost = lostSequenceNumbers;
    }

    private GenericNack(ReadOnlySpan<byte> packet)
    {
        SenderSsrc = BinaryPrimitives.ReadUInt32BigEndian(packet[SenderSsrcOffset..]);
        MediaSsrc = BinaryPrimitives.ReadUInt32BigEndian(packet[MediaSsrcOffset..]);
        _rawItems = packet[FixedLength..(FixedLength + ((packet.Length - FixedLength) / ItemLength * ItemLength))];
        _parsed = true;
    }

    public uint SenderSsrc { get; }
    public uint MediaSsrc { get; }
    public int ItemCount => _parsed ? _rawItems.Length / ItemLength : CountItems(_lost);
    public int SerializedLength => FixedLength + (ItemCount * ItemLength);

    public (ushort PacketId, ushort LostBitmask) GetItem(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ItemCount);
        if (_parsed)
        {
            ReadOnlySpan<byte> item = _rawItems[(index * ItemLength)..];
            return (BinaryPrimitives.ReadUInt16BigEndian(item), BinaryPrimitives.ReadUInt16BigEndian(item[2..]));
        }

        int position = 0;
        (ushort, ushort) result = default;
        for (int i = 0; i <= index; i++)
        {
            result = NextItem(_lost, ref position);
        }

        return result;
    }

    /// <summary>Every sequence number this NACK reports lost, in PID/BLP order.</summary>
    public LostSequenceEnumerator GetLostSequenceNumbers() => new(this);

    public static bool TryParse(ReadOnlySpan<byte> source, out GenericNack nack)
    {
        nack = default;
        if (!RtcpHeader.TryGetPacket(source, RtcpPacketType.TransportFeedback, RtcpPacketType.GenericNackFormat, out _, out ReadOnlySpan<byte> packet)
            || packet.Length < FixedLength + ItemLength)
        {
            return false;
        }

        nack = new GenericNack(packet);
        return true;
    }

    public int WriteTo(Span<byte> destination)
    {
        int length = SerializedLength;
        if (destination.Length < length)
        {
            return 0;
        }

        RtcpHeader.Write(destination, RtcpPacketType.GenericNackFormat, RtcpPacketType.TransportFeedback, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[SenderSsrcOffset..], SenderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[MediaSsrcOffset..], MediaSsrc);
        int offset = FixedLength;
        for (int i = 0; i < ItemCount; i++, offset += ItemLength)
        {
            (ushort pid, ushort blp) = GetItem(i);
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], pid);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], blp);
        }

        return length;
    }

    private static int CountItems(ReadOnlySpan<ushort> lost)
    {
        int count = 0;
        int position = 0;
        while (position < lost.Length)
        {
            NextItem(lost, ref position);
            count++;
        }

        return count;
    }

    private static (ushort PacketId, ushort LostBitmask) NextItem(ReadOnlySpan<ushort> lost, ref int position)
    {
        ushort pid = lost[position++];
        ushort blp = 0;
        while (position < lost.Length)
        {
            int distance = (ushort)(lost[position] - pid);
            if (distance > BitmaskSpan)
            {
                break;
            }

            if (distance > 0)
            {
                blp |= (ushort)(1 << (distance - 1));
            }

            position++; // distance 0 is a duplicate of the PID
        }

        return (pid, blp);
    }

    public ref struct LostSequenceEnumerator
    {
        private readonly GenericNack _nack;
        private int _item;
        private int _bit;
        private ushort _pid;
        private ushort _blp;

        internal LostSequenceEnumerator(GenericNack nack)
        {
            _nack = nack;
            _item = -1;
            _bit = BitmaskSpan;
        }

        public ushort Current { get; private set; }

        public readonly LostSequenceEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (_bit < BitmaskSpan)
            {
                int bit = _bit++;
                if ((_blp & (1 << bit)) != 0)
                {
                    Current = (ushort)(_pid + bit + 1);
                    return true;
                }
            }

            if (++_item >= _nack.ItemCount)
            {
                return false;
            }

            (_pid, _blp) = _nack.GetItem(_item);
            _bit = 0;
            Current = _pid;
            return true;
        }
    }
}
