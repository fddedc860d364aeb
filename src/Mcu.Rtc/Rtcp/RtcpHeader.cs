// RFC 3550 §6.4.1 common RTCP header (count is RC/SC, or FMT in RFC 4585 feedback):
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|  count  |      PT       |             length            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// length = packet length in 32-bit words minus one, header included.
using System.Buffers.Binary;

namespace Mcu.Rtc.Rtcp;

public readonly struct RtcpHeader
{
    public const int Length = 4;
    public const int MaxCount = 31;
    private const int Version = 2;
    private const int PacketTypeOffset = 1;
    private const int LengthOffset = 2;

    private readonly byte _first;

    private RtcpHeader(byte first, byte packetType, ushort lengthInWords)
    {
        _first = first;
        PacketType = packetType;
        LengthInWords = lengthInWords;
    }

    public bool HasPadding => (_first & 0x20) != 0;

    /// <summary>Report/source count, or FMT for feedback packets (RFC 4585 §6.1).</summary>
    public int Count => _first & 0x1F;

    public byte PacketType { get; }

    /// <summary>The raw length field: words minus one.</summary>
    public ushort LengthInWords { get; }

    /// <summary>Packet length in bytes, header included.</summary>
    public int PacketLength => (LengthInWords + 1) * 4;

    public static bool TryParse(ReadOnlySpan<byte> source, out RtcpHeader header)
    {
        header = default;
        if (source.Length < Length || source[0] >> 6 != Version)
        {
            return false;
        }

        header = new RtcpHeader(source[0], source[PacketTypeOffset], BinaryPrimitives.ReadUInt16BigEndian(source[LengthOffset..]));
        return true;
    }

    /// <summary>Writes a header for a packet of <paramref name="packetLength"/> bytes (a multiple of 4).</summary>
    public static void Write(Span<byte> destination, int count, byte packetType, int packetLength, bool padding = false)
    {
        destination[0] = (byte)((Version << 6) | (padding ? 0x20 : 0) | (count & 0x1F));
        destination[PacketTypeOffset] = packetType;
        BinaryPrimitives.WriteUInt16BigEndian(destination[LengthOffset..], (ushort)((packetLength / 4) - 1));
    }

    /// <summary>
    /// Checks the header of one packet of the expected type (and FMT, if not null) and returns the
    /// packet without its padding. Parsers call this first, so none reads past the declared length.
    /// </summary>
    internal static bool TryGetPacket(ReadOnlySpan<byte> source, byte packetType, int? format, out RtcpHeader header, out ReadOnlySpan<byte> packet)
    {
        packet = default;
        if (!TryParse(source, out header) || header.PacketType != packetType
            || (format is int fmt && header.Count != fmt) || source.Length < header.PacketLength)
        {
            return false;
        }

        packet = source[..header.PacketLength];
        if (header.HasPadding)
        {
            int padding = packet[^1];
            if (padding == 0 || padding > packet.Length - Length)
            {
                return false;
            }

            packet = packet[..^padding];
        }

        return true;
    }
}
