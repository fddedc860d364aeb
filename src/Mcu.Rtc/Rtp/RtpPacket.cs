// RFC 3550 §5.1 RTP fixed header, RFC 8285 header extensions.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|X|  CC   |M|     PT      |       sequence number         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                           timestamp                           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           synchronization source (SSRC) identifier            |
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |            contributing source (CSRC) identifiers             |
// |                             ....                              |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |      defined by profile       |           length              |  (if X)
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                        header extension                       |
// |                             ....                              |
using System.Buffers.Binary;

namespace Mcu.Rtc.Rtp;

/// <summary>
/// A parsed view over one RTP packet. Valid only while the underlying buffer is;
/// copy what must outlive the receive callback.
/// </summary>
public readonly ref struct RtpPacket
{
    public const int FixedHeaderLength = 12;
    public const int RtpVersion = 2;
    public const ushort OneByteExtensionProfile = 0xBEDE;
    /// <summary>RFC 8285 §4.3: 0x100 followed by 4 application bits.</summary>
    public const ushort TwoByteExtensionProfile = 0x1000;

    private const int MarkerPayloadTypeOffset = 1;
    private const int SequenceNumberOffset = 2;
    private const int TimestampOffset = 4;
    private const int SsrcOffset = 8;
    private const int CsrcOffset = 12;
    private const int ExtensionHeaderLength = 4;

    private readonly ReadOnlySpan<byte> _packet;
    private readonly int _payloadLength;
    private readonly int _extensionOffset;
    private readonly int _extensionLength;

    private RtpPacket(ReadOnlySpan<byte> packet, int headerLength, int payloadLength, int extensionOffset, int extensionLength)
    {
        _packet = packet;
        HeaderLength = headerLength;
        _payloadLength = payloadLength;
        _extensionOffset = extensionOffset;
        _extensionLength = extensionLength;
    }

    public int Version => _packet[0] >> 6;
    public bool HasPadding => (_packet[0] & 0x20) != 0;
    public bool HasExtension => (_packet[0] & 0x10) != 0;
    public int CsrcCount => _packet[0] & 0x0F;
    public bool Marker => (_packet[MarkerPayloadTypeOffset] & 0x80) != 0;
    public byte PayloadType => (byte)(_packet[MarkerPayloadTypeOffset] & 0x7F);
    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_packet[SequenceNumberOffset..]);
    public uint Timestamp => BinaryPrimitives.ReadUInt32BigEndian(_packet[TimestampOffset..]);
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_packet[SsrcOffset..]);
    public int HeaderLength { get; }
    /// <summary>The payload with any padding removed.</summary>
    public ReadOnlySpan<byte> Payload => _packet.Slice(HeaderLength, _payloadLength);
    /// <summary>Number of padding bytes at the end (0 without the P bit).</summary>
    public int PaddingLength => _packet.Length - HeaderLength - _payloadLength;
    /// <summary>The "defined by profile" field of the extension header, 0 without extension.</summary>
    public ushort ExtensionProfile =>
        HasExtension ? BinaryPrimitives.ReadUInt16BigEndian(_packet[(_extensionOffset - ExtensionHeaderLength)..]) : (ushort)0;
    /// <summary>The whole packet this view was parsed from.</summary>
    public ReadOnlySpan<byte> Span => _packet;

    public uint GetCsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, CsrcCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_packet[(CsrcOffset + (4 * index))..]);
    }

    public static bool TryParse(ReadOnlySpan<byte> packet, out RtpPacket rtp)
    {
        rtp = default;
        if (!TryGetHeaderLength(packet, out int headerLength, out int extensionOffset, out int extensionLength))
        {
            return false;
        }

        int payloadLength = packet.Length - headerLength;
        if ((packet[0] & 0x20) != 0)
        {
            // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
            int padding = packet[^1];
            if (padding == 0 || padding > payloadLength)
            {
                return false;
            }

            payloadLength -= padding;
        }

        rtp = new RtpPacket(packet, headerLength, payloadLength, extensionOffset, extensionLength);
        return true;
    }

    /// <summary>
    /// Header length (fixed header, CSRCs and extension) of a version 2 packet, without
    /// looking at the payload, which may still be encrypted.
    /// </summary>
    public static bool TryGetHeaderLength(ReadOnlySpan<byte> packet, out int headerLength) =>
        TryGetHeaderLength(packet, out headerLength, out _, out _);

    private static bool TryGetHeaderLength(ReadOnlySpan<byte> packet, out int headerLength, out int extensionOffset, out int extensionLength)
    {
        headerLength = 0;
        extensionOffset = 0;
        extensionLength = 0;
        if (packet.Length < FixedHeaderLength || packet[0] >> 6 != RtpVersion)
        {
            return false;
        }

        int length = FixedHeaderLength + (4 * (packet[0] & 0x0F));
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < length + ExtensionHeaderLength)
            {
                return false;
            }

            extensionLength = 4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]);
            extensionOffset = length + ExtensionHeaderLength;
            length = extensionOffset + extensionLength;
        }

        if (packet.Length < length)
        {
            return false;
        }

        headerLength = length;
        return true;
    }

    /// <summary>
    /// Finds an RFC 8285 header extension element by id in the one-byte (0xBEDE) or
    /// two-byte (0x100X) form. Returns false when absent or the extension block is malformed.
    /// </summary>
    public bool TryGetExtension(int id, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!HasExtension || id <= 0)
        {
            return false;
        }

        ReadOnlySpan<byte> block = _packet.Slice(_extensionOffset, _extensionLength);
        ushort profile = ExtensionProfile;
        if (profile == OneByteExtensionProfile)
        {
            return id < 15 && TryFindOneByte(block, id, out value);
        }

        if ((profile & 0xFFF0) == TwoByteExtensionProfile)
        {
            return id < 256 && TryFindTwoByte(block, id, out value);
        }

        return false;
    }

    private static bool TryFindOneByte(ReadOnlySpan<byte> block, int id, out ReadOnlySpan<byte> value)
    {
        value = default;
        int offset = 0;
        while (offset < block.Length)
        {
            int elementId = block[offset] >> 4;
            if (elementId == 0)
            {
                offset++; // padding byte
                continue;
            }

            if (elementId == 15)
            {
                return false; // RFC 8285 §4.2: id 15 stops processing
            }

            int length = (block[offset] & 0x0F) + 1;
            if (offset + 1 + length > block.Length)
            {
                return false;
            }

            if (elementId == id)
            {
                value = block.Slice(offset + 1, length);
                return true;
            }

            offset += 1 + length;
        }

        return false;
    }

    private static bool TryFindTwoByte(ReadOnlySpan<byte> block, int id, out ReadOnlySpan<byte> value)
    {
        value = default;
        int offset = 0;
        while (offset < block.Length)
        {
            int elementId = block[offset];
            if (elementId == 0)
            {
                offset++;
                continue;
            }

            if (offset + 2 > block.Length)
            {
                return false;
            }

            int length = block[offset + 1];
            if (offset + 2 + length > block.Length)
            {
                return false;
            }

            if (elementId == id)
            {
                value = block.Slice(offset + 2, length);
                return true;
            }

            offset += 2 + length;
        }

        return false;
    }

    // In-place rewriters used when forwarding or re-stamping a packet; the caller has
    // checked the packet with TryParse or TryGetHeaderLength.
    public static void WriteSsrc(Span<byte> packet, uint ssrc) =>
        BinaryPrimitives.WriteUInt32BigEndian(packet[SsrcOffset..], ssrc);

    public static void WriteSequenceNumber(Span<byte> packet, ushort sequenceNumber) =>
        BinaryPrimitives.WriteUInt16BigEndian(packet[SequenceNumberOffset..], sequenceNumber);

    public static void WriteTimestamp(Span<byte> packet, uint timestamp) =>
        BinaryPrimitives.WriteUInt32BigEndian(packet[TimestampOffset..], timestamp);

    public static void WritePayloadType(Span<byte> packet, byte payloadType) =>
        packet[MarkerPayloadTypeOffset] = (byte)((packet[MarkerPayloadTypeOffset] & 0x80) | (payloadType & 0x7F));

    public static void WriteMarker(Span<byte> packet, bool marker) =>
        packet[MarkerPayloadTypeOffset] = (byte)((packet[MarkerPayloadTypeOffset] & 0x7F) | (marker ? 0x80 : 0));
}
