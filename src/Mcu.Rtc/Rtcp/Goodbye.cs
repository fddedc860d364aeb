// RFC 3550 §6.6 BYE: Goodbye RTCP packet
//
//        0                   1                   2                   3
//        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |V=2|P|    SC   |   PT=BYE=203  |             length            |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |                           SSRC/CSRC                           |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       :                              ...                              :
//       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// (opt) |     length    |               reason for leaving            ...
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
using System.Buffers.Binary;

namespace Mcu.Rtc.Rtcp;

public readonly ref struct Goodbye
{
    private const int SourcesOffset = RtcpHeader.Length;
    private const int SsrcLength = 4;

    private readonly ReadOnlySpan<byte> _rawSources;
    private readonly ReadOnlySpan<uint> _sources;
    private readonly bool _parsed;

    /// <summary>A BYE for up to 31 sources with an optional UTF-8 reason (at most 255 bytes).</summary>
    public Goodbye(ReadOnlySpan<uint> sources, ReadOnlySpan<byte> reason = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sources.Length, RtcpHeader.MaxCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(reason.Length, 255);
        _sources = sources;
        Reason = reason;
    }

    private Goodbye(ReadOnlySpan<byte> rawSources, ReadOnlySpan<byte> reason)
    {
        _rawSources = rawSources;
        Reason = reason;
        _parsed = true;
    }

    public int SourceCount => _parsed ? _rawSources.Length / SsrcLength : _sources.Length;
    public ReadOnlySpan<byte> Reason { get; }

    public int SerializedLength =>
        SourcesOffset + (SourceCount * SsrcLength) + (Reason.IsEmpty ? 0 : (1 + Reason.Length + 3) & ~3);

    public uint GetSource(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SourceCount);
        return _parsed ? BinaryPrimitives.ReadUInt32BigEndian(_rawSources[(index * SsrcLength)..]) : _sources[index];
    }

    public static bool TryParse(ReadOnlySpan<byte> source, out Goodbye goodbye)
    {
        goodbye = default;
        if (!RtcpHeader.TryGetPacket(source, RtcpPacketType.Goodbye, null, out RtcpHeader header, out ReadOnlySpan<byte> packet))
        {
            return false;
        }

        int reasonOffset = SourcesOffset + (header.Count * SsrcLength);
        if (packet.Length < reasonOffset)
        {
            return false;
        }

        ReadOnlySpan<byte> reason = default;
        if (packet.Length > reasonOffset)
        {
            int reasonLength = packet[reasonOffset];
            if (reasonOffset + 1 + reasonLength > packet.Length)
            {
                return false;
            }

            reason = packet.Slice(reasonOffset + 1, reasonLength);
        }

        goodbye = new Goodbye(packet[SourcesOffset..reasonOffset], reason);
        return true;
    }

    public int WriteTo(Span<byte> destination)
    {
        int length = SerializedLength;
        if (destination.Length < length)
        {
            return 0;
        }

        RtcpHeader.Write(destination, SourceCount, RtcpPacketType.Goodbye, length);
        int offset = SourcesOffset;
        for (int i = 0; i < SourceCount; i++, offset += SsrcLength)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], GetSource(i));
        }

        if (!Reason.IsEmpty)
        {
            destination[offset] = (byte)Reason.Length;
            Reason.CopyTo(destination[(offset + 1)..]);
            destination[(offset + 1 + Reason.Length)..length].Clear();
        }

        return length;
    }
}
