// RFC 3550 §6.5 SDES: Source Description RTCP packet
//
//         0                   1                   2                   3
//         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// header |V=2|P|    SC   |  PT=SDES=202  |             length            |
//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// chunk  |                          SSRC/CSRC_1                          |
//   1    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |    CNAME=1    |     length    | user and domain name        ...
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Each chunk's item list ends with at least one null octet and is padded to 32 bits.
using System.Buffers.Binary;

namespace Mcu.Rtc.Rtcp;

/// <summary>
/// SDES reduced to what WebRTC uses: the CNAME of each chunk. Written with a single chunk.
/// </summary>
public readonly ref struct SourceDescription
{
    public const byte EndItem = 0;
    public const byte CnameItem = 1;
    public const int MaxItemLength = 255;
    private const int ChunksOffset = RtcpHeader.Length;
    private const int SsrcLength = 4;
    private const int ItemHeaderLength = 2;

    private readonly ReadOnlySpan<byte> _chunks;
    private readonly ReadOnlySpan<byte> _cname;
    private readonly uint _ssrc;
    private readonly bool _parsed;

    /// <summary>A one-chunk SDES carrying the CNAME (UTF-8, at most 255 bytes) of <paramref name="ssrc"/>.</summary>
    public SourceDescription(uint ssrc, ReadOnlySpan<byte> cname)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cname.Length, MaxItemLength);
        _ssrc = ssrc;
        _cname = cname;
        ChunkCount = 1;
    }

    private SourceDescription(ReadOnlySpan<byte> chunks, int chunkCount)
    {
        _chunks = chunks;
        ChunkCount = chunkCount;
        _parsed = true;
    }

    public int ChunkCount { get; }

    public int SerializedLength => _parsed
        ? RtcpHeader.Length + _chunks.Length
        : RtcpHeader.Length + PaddedChunkLength(_cname.Length);

    private static int PaddedChunkLength(int cnameLength) =>
        (SsrcLength + ItemHeaderLength + cnameLength + 1 + 3) & ~3; // +1: at least one null octet

    /// <summary>The SSRC of chunk <paramref name="index"/> and its CNAME (empty if it has none).</summary>
    public bool TryGetCname(int index, out uint ssrc, out ReadOnlySpan<byte> cname)
    {
        ssrc = 0;
        cname = default;
        if (index < 0 || index >= ChunkCount)
        {
            return false;
        }

        if (!_parsed)
        {
            ssrc = _ssrc;
            cname = _cname;
            return true;
        }

        int offset = 0;
        for (int chunk = 0; chunk <= index; chunk++)
        {
            if (!TryReadChunk(_chunks, ref offset, out ssrc, out cname))
            {
                return false;
            }
        }

        return true;
    }

    public static bool TryParse(ReadOnlySpan<byte> source, out SourceDescription description)
    {
        description = default;
        if (!RtcpHeader.TryGetPacket(source, RtcpPacketType.SourceDescription, null, out RtcpHeader header, out ReadOnlySpan<byte> packet))
        {
            return false;
        }

        ReadOnlySpan<byte> chunks = packet[ChunksOffset..];
        int offset = 0;
        for (int chunk = 0; chunk < header.Count; chunk++)
        {
            if (!TryReadChunk(chunks, ref offset, out _, out _))
            {
                return false;
            }
        }

        description = new SourceDescription(chunks, header.Count);
        return true;
    }

    private static bool TryReadChunk(ReadOnlySpan<byte> chunks, scoped ref int offset, out uint ssrc, out ReadOnlySpan<byte> cname)
    {
        ssrc = 0;
        cname = default;
        if (offset + SsrcLength > chunks.Length)
        {
            return false;
        }

        ssrc = BinaryPrimitives.ReadUInt32BigEndian(chunks[offset..]);
        int position = offset + SsrcLength;
        while (true)
        {
            if (position >= chunks.Length)
            {
                return false;
            }

            byte type = chunks[position];
            if (type == EndItem)
            {
                // Skip the null octet(s) up to the next 32-bit boundary.
                offset = (position + 1 + 3) & ~3;
                return offset <= chunks.Length;
            }

            if (position + ItemHeaderLength > chunks.Length)
            {
                return false;
            }

            int length = chunks[position + 1];
            if (position + ItemHeaderLength + length > chunks.Length)
            {
                return false;
            }

            if (type == CnameItem)
            {
                cname = chunks.Slice(position + ItemHeaderLength, length);
            }

            position += ItemHeaderLength + length;
        }
    }

    public int WriteTo(Span<byte> destination)
    {
        int length = SerializedLength;
        if (destination.Length < length)
        {
            return 0;
        }

        RtcpHeader.Write(destination, ChunkCount, RtcpPacketType.SourceDescription, length);
        if (_parsed)
        {
            _chunks.CopyTo(destination[ChunksOffset..]);
            return length;
        }

        Span<byte> chunk = destination[ChunksOffset..length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, _ssrc);
        chunk[SsrcLength] = CnameItem;
        chunk[SsrcLength + 1] = (byte)_cname.Length;
        _cname.CopyTo(chunk[(SsrcLength + ItemHeaderLength)..]);
        chunk[(SsrcLength + ItemHeaderLength + _cname.Length)..].Clear(); // end item + padding
        return length;
    }
}
