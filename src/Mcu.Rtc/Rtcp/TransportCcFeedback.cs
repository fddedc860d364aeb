// draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1 transport-wide feedback (RTPFB, FMT=15):
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|  FMT=15 |    PT=205     |           length              |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                     SSRC of packet sender                     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                      SSRC of media source                     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |      base sequence number     |      packet status count      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                 reference time                | fb pkt. count |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |          packet chunk         |         packet chunk          |
// .                                                               .
// |         packet chunk          |  recv delta   |  recv delta   |
// .                                                               .
// |           recv delta          |  recv delta   | zero padding  |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Chunks (§3.1.3-4): 0|S(2)|run length(13)  or  1|0|14 x 1-bit symbol  or  1|1|7 x 2-bit symbol.
// Symbols: 0 not received, 1 received with 1-byte delta, 2 received with signed 2-byte delta.
// Reference time is signed 24 bits in 64 ms units; deltas are in 250 us units.
using System.Buffers.Binary;

namespace Mcu.Rtc.Rtcp;

/// <summary>One packet's entry in a transport-wide feedback.</summary>
public readonly record struct TransportCcPacketStatus(ushort SequenceNumber, bool IsReceived, long ArrivalTimeMicroseconds);

/// <summary>A parsed transport-wide congestion control feedback; build one with <see cref="TransportCcFeedbackBuilder"/>.</summary>
public readonly ref struct TransportCcFeedback
{
    public const int FixedLength = 20;
    public const int ReferenceTimeUnitMicroseconds = 64_000;
    public const int DeltaUnitMicroseconds = 250;
    internal const int SenderSsrcOffset = 4;
    internal const int MediaSsrcOffset = 8;
    internal const int BaseSequenceOffset = 12;
    internal const int StatusCountOffset = 14;
    internal const int ReferenceTimeOffset = 16;
    internal const int FeedbackCountOffset = 19;
    internal const int ChunkLength = 2;
    internal const int NotReceived = 0;
    internal const int SmallDelta = 1;
    internal const int LargeDelta = 2;

    private readonly ReadOnlySpan<byte> _packet;
    private readonly int _deltasOffset;

    private TransportCcFeedback(ReadOnlySpan<byte> packet, int deltasOffset)
    {
        _packet = packet;
        _deltasOffset = deltasOffset;
    }

    public uint SenderSsrc => BinaryPrimitives.ReadUInt32BigEndian(_packet[SenderSsrcOffset..]);
    public uint MediaSsrc => BinaryPrimitives.ReadUInt32BigEndian(_packet[MediaSsrcOffset..]);
    public ushort BaseSequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_packet[BaseSequenceOffset..]);
    public int PacketStatusCount => BinaryPrimitives.ReadUInt16BigEndian(_packet[StatusCountOffset..]);

    /// <summary>Signed 24-bit reference time in 64 ms units.</summary>
    public int ReferenceTime => (int)(BinaryPrimitives.ReadUInt32BigEndian(_packet[ReferenceTimeOffset..]) & 0xFFFFFF00) >> 8;

    public byte FeedbackPacketCount => _packet[FeedbackCountOffset];

    public long ReferenceTimeMicroseconds => (long)ReferenceTime * ReferenceTimeUnitMicroseconds;

    /// <summary>Enumerates every packet status from the base sequence number on, with arrival times.</summary>
    public PacketStatusEnumerator GetPacketStatuses() => new(_packet, _deltasOffset, BaseSequenceNumber, PacketStatusCount, ReferenceTimeMicroseconds);

    public static bool TryParse(ReadOnlySpan<byte> source, out TransportCcFeedback feedback)
    {
        feedback = default;
        if (!RtcpHeader.TryGetPacket(source, RtcpPacketType.TransportFeedback, RtcpPacketType.TransportCcFormat, out _, out ReadOnlySpan<byte> packet)
            || packet.Length < FixedLength)
        {
            return false;
        }

        int remaining = BinaryPrimitives.ReadUInt16BigEndian(packet[StatusCountOffset..]);
        int offset = FixedLength;
        int deltaBytes = 0;
        while (remaining > 0)
        {
            if (offset + ChunkLength > packet.Length)
            {
                return false;
            }

            ushort chunk = BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
            offset += ChunkLength;
            int symbols = Math.Min(SymbolCount(chunk), remaining);
            if (symbols == 0)
            {
                return false; // a zero run length would never finish
            }

            for (int i = 0; i < symbols; i++)
            {
                int symbol = Symbol(chunk, i);
                if (symbol > LargeDelta)
                {
                    return false;
                }

                deltaBytes += symbol;
            }

            remaining -= symbols;
        }

        if (offset + deltaBytes > packet.Length)
        {
            return false;
        }

        feedback = new TransportCcFeedback(packet, offset);
        return true;
    }

    internal static int SymbolCount(ushort chunk) =>
        (chunk & 0x8000) == 0 ? chunk & 0x1FFF : (chunk & 0x4000) == 0 ? 14 : 7;

    internal static int Symbol(ushort chunk, int index)
    {
        if ((chunk & 0x8000) == 0)
        {
            return (chunk >> 13) & 0x03; // run length: one symbol repeated
        }

        return (chunk & 0x4000) == 0
            ? (chunk >> (13 - index)) & 0x01
            : (chunk >> (12 - (2 * index))) & 0x03;
    }

    public ref struct PacketStatusEnumerator
    {
        private readonly ReadOnlySpan<byte> _packet;
        private int _chunkOffset;
        private int _deltaOffset;
        private ushort _chunk;
        private int _symbolInChunk;
        private int _symbolsInChunk;
        private int _remaining;
        private ushort _nextSequence;
        private long _time;

        internal PacketStatusEnumerator(ReadOnlySpan<byte> packet, int deltasOffset, ushort baseSequence, int count, long referenceTime)
        {
            _packet = packet;
            _chunkOffset = FixedLength;
            _deltaOffset = deltasOffset;
            _remaining = count;
            _nextSequence = baseSequence;
            _time = referenceTime;
        }

        public TransportCcPacketStatus Current { get; private set; }

        public readonly PacketStatusEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_remaining == 0)
            {
                return false;
            }

            if (_symbolInChunk == _symbolsInChunk)
            {
                _chunk = BinaryPrimitives.ReadUInt16BigEndian(_packet[_chunkOffset..]);
                _chunkOffset += ChunkLength;
                _symbolInChunk = 0;
                _symbolsInChunk = SymbolCount(_chunk);
            }

            int symbol = Symbol(_chunk, _symbolInChunk++);
            if (symbol == SmallDelta)
            {
                _time += _packet[_deltaOffset] * (long)DeltaUnitMicroseconds;
                _deltaOffset += 1;
            }
            else if (symbol == LargeDelta)
            {
                _time += BinaryPrimitives.ReadInt16BigEndian(_packet[_deltaOffset..]) * (long)DeltaUnitMicroseconds;
                _deltaOffset += 2;
            }

            Current = new TransportCcPacketStatus(_nextSequence++, symbol != NotReceived, symbol != NotReceived ? _time : 0);
            _remaining--;
            return true;
        }
    }
}
