using System.Buffers.Binary;

namespace Mcu.Rtc.Transport;

/// <summary>What the start of a TCP receive buffer holds.</summary>
internal enum FrameStatus
{
    /// <summary>A whole frame: its payload is <c>buffer[HeaderLength..(HeaderLength + length)]</c>.</summary>
    Complete,

    /// <summary>Not all of it yet: read more.</summary>
    Incomplete,

    /// <summary>A length no peer of ours sends (empty, or over <see cref="Rfc4571Frame.MaxPayload"/>): close the connection.</summary>
    Invalid,
}

/// <summary>
/// RFC 4571 §2 framing of RTP, RTCP, STUN and DTLS on a TCP connection, as ICE-TCP uses it
/// (RFC 6544 §3): each packet is preceded by its length.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |             LENGTH            |  RTP or RTCP packet ...       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
internal static class Rfc4571Frame
{
    public const int HeaderLength = 2;

    /// <summary>
    /// The largest packet we take: what fits a 1500-byte Ethernet MTU is all a WebRTC peer sends,
    /// and a bigger length is a peer that is not one (or a stream out of step).
    /// </summary>
    public const int MaxPayload = 1500;

    public static FrameStatus TryRead(ReadOnlySpan<byte> buffer, out int payloadLength)
    {
        payloadLength = 0;
        if (buffer.Length < HeaderLength)
        {
            return FrameStatus.Incomplete;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(buffer);
        if (length is 0 or > MaxPayload)
        {
            return FrameStatus.Invalid;
        }
        if (buffer.Length < HeaderLength + length)
        {
            return FrameStatus.Incomplete;
        }
        payloadLength = length;
        return FrameStatus.Complete;
    }

    public static void WriteHeader(Span<byte> destination, int payloadLength) =>
        BinaryPrimitives.WriteUInt16BigEndian(destination, checked((ushort)payloadLength));
}
