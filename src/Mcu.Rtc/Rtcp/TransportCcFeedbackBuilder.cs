// Writes the draft-holmer-rmcat-transport-wide-cc-extensions-01 feedback packet drawn in
// TransportCcFeedback.cs from the packets a receiver saw.
using System.Buffers.Binary;

namespace Mcu.Rtc.Rtcp;

/// <summary>A received packet for transport-wide feedback: transport sequence number and arrival time.</summary>
public readonly record struct TransportCcArrival(ushort SequenceNumber, long ArrivalTimeMicroseconds);

/// <summary>
/// Encodes received packets (ascending transport sequence numbers modulo 2^16, non-negative
/// arrival times) as one feedback packet; gaps are reported as not received. Chunks are chosen
/// greedily: a run-length chunk for 14+ equal symbols, else a 1-bit vector when the next 14 need
/// no large deltas, else a 2-bit vector. Arrival deltas that do not fit 16 bits are clamped.
/// </summary>
public readonly ref struct TransportCcFeedbackBuilder
{
    /// <summary>Status positions one packet may cover; keeps the symbol scratch on the stack.</summary>
    public const int MaxPacketStatusCount = 4096;
    private const int MaxRunLength = 0x1FFF;
    private const int OneBitSymbols = 14;
    private const int TwoBitSymbols = 7;
    private const long TicksPerReference = TransportCcFeedback.ReferenceTimeUnitMicroseconds / TransportCcFeedback.DeltaUnitMicroseconds;

    private readonly ReadOnlySpan<TransportCcArrival> _arrivals;

    public TransportCcFeedbackBuilder(uint senderSsrc, uint mediaSsrc, byte feedbackPacketCount, ReadOnlySpan<TransportCcArrival> arrivals)
    {
        if (arrivals.IsEmpty)
        {
            throw new ArgumentException("At least one received packet is needed.", nameof(arrivals));
        }

        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        FeedbackPacketCount = feedbackPacketCount;
        _arrivals = arrivals;
        PacketStatusCount = (ushort)(arrivals[^1].SequenceNumber - arrivals[0].SequenceNumber) + 1;
        if (PacketStatusCount > MaxPacketStatusCount)
        {
            throw new ArgumentException($"Packets span more than {MaxPacketStatusCount} sequence numbers.", nameof(arrivals));
        }
    }

    public uint SenderSsrc { get; }
    public uint MediaSsrc { get; }
    public byte FeedbackPacketCount { get; }
    public int PacketStatusCount { get; }

    /// <summary>The 24-bit reference time: the first arrival in 64 ms units, rounded down.</summary>
    public int ReferenceTime => (int)(_arrivals[0].ArrivalTimeMicroseconds / TransportCcFeedback.ReferenceTimeUnitMicroseconds) & 0xFFFFFF;

    public int SerializedLength
    {
        get
        {
            Span<byte> symbols = stackalloc byte[PacketStatusCount];
            int unpadded = UnpaddedLength(symbols);
            return (unpadded + 3) & ~3;
        }
    }

    public int WriteTo(Span<byte> destination)
    {
        Span<byte> symbols = stackalloc byte[PacketStatusCount];
        int unpadded = UnpaddedLength(symbols);
        int length = (unpadded + 3) & ~3;
        if (destination.Length < length)
        {
            return 0;
        }

        int padding = length - unpadded;
        RtcpHeader.Write(destination, RtcpPacketType.TransportCcFormat, RtcpPacketType.TransportFeedback, length, padding != 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[TransportCcFeedback.SenderSsrcOffset..], SenderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[TransportCcFeedback.MediaSsrcOffset..], MediaSsrc);
        BinaryPrimitives.WriteUInt16BigEndian(destination[TransportCcFeedback.BaseSequenceOffset..], _arrivals[0].SequenceNumber);
        BinaryPrimitives.WriteUInt16BigEndian(destination[TransportCcFeedback.StatusCountOffset..], (ushort)PacketStatusCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination[TransportCcFeedback.ReferenceTimeOffset..], ((uint)ReferenceTime << 8) | FeedbackPacketCount);

        int offset = TransportCcFeedback.FixedLength;
        for (int position = 0; position < symbols.Length;)
        {
            offset += WriteChunk(symbols, ref position, destination[offset..]);
        }

        Span<byte> deltas = destination[offset..];
        FillSymbols(symbols, deltas);
        offset = unpadded;
        destination[offset..length].Clear();
        if (padding != 0)
        {
            destination[length - 1] = (byte)padding; // RFC 3550 §6.4.1: last octet counts the padding
        }

        return length;
    }

    /// <summary>Fills the symbols and returns the packet length before padding.</summary>
    private int UnpaddedLength(Span<byte> symbols)
    {
        int deltaBytes = FillSymbols(symbols, default);
        int chunks = 0;
        for (int position = 0; position < symbols.Length; chunks++)
        {
            WriteChunk(symbols, ref position, default);
        }

        return TransportCcFeedback.FixedLength + (chunks * TransportCcFeedback.ChunkLength) + deltaBytes;
    }

    /// <summary>
    /// Computes each position's symbol and, when <paramref name="deltas"/> is not empty, writes the
    /// receive deltas there. Returns the delta bytes needed.
    /// </summary>
    private int FillSymbols(Span<byte> symbols, Span<byte> deltas)
    {
        symbols.Clear();
        long previousTicks = ReferenceTime * TicksPerReference;
        ushort baseSequence = _arrivals[0].SequenceNumber;
        int offset = 0;
        foreach (TransportCcArrival arrival in _arrivals)
        {
            int position = (ushort)(arrival.SequenceNumber - baseSequence);
            if (symbols[position] != TransportCcFeedback.NotReceived)
            {
                continue; // duplicate report of one sequence number
            }

            long delta = Math.Clamp((arrival.ArrivalTimeMicroseconds / TransportCcFeedback.DeltaUnitMicroseconds) - previousTicks, short.MinValue, short.MaxValue);
            previousTicks += delta;
            bool small = delta is >= 0 and <= byte.MaxValue;
            symbols[position] = small ? (byte)TransportCcFeedback.SmallDelta : (byte)TransportCcFeedback.LargeDelta;
            if (!deltas.IsEmpty)
            {
                if (small)
                {
                    deltas[offset] = (byte)delta;
                }
                else
                {
                    BinaryPrimitives.WriteInt16BigEndian(deltas[offset..], (short)delta);
                }
            }

            offset += small ? 1 : 2;
        }

        return offset;
    }

    /// <summary>Encodes the chunk starting at <paramref name="position"/>; writes it unless the destination is empty.</summary>
    private static int WriteChunk(ReadOnlySpan<byte> symbols, ref int position, Span<byte> destination)
    {
        int run = 1;
        while (position + run < symbols.Length && symbols[position + run] == symbols[position] && run < MaxRunLength)
        {
            run++;
        }

        ushort chunk;
        if (run >= OneBitSymbols || position + run == symbols.Length)
        {
            chunk = (ushort)((symbols[position] << 13) | run);
            position += run;
        }
        else if (!symbols.Slice(position, Math.Min(OneBitSymbols, symbols.Length - position)).Contains((byte)TransportCcFeedback.LargeDelta))
        {
            chunk = 0x8000;
            for (int i = 0; i < OneBitSymbols && position < symbols.Length; i++, position++)
            {
                chunk |= (ushort)(symbols[position] << (13 - i));
            }
        }
        else
        {
            chunk = 0xC000;
            for (int i = 0; i < TwoBitSymbols && position < symbols.Length; i++, position++)
            {
                chunk |= (ushort)(symbols[position] << (12 - (2 * i)));
            }
        }

        if (!destination.IsEmpty)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination, chunk);
        }

        return TransportCcFeedback.ChunkLength;
    }
}
