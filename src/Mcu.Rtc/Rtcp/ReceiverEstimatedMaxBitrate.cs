// draft-alvestrand-rmcat-remb-03 §2.2 REMB (PSFB, FMT=15 application layer feedback):
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P| FMT=15  |   PT=206      |             length            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  SSRC of packet sender                        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  SSRC of media source (0)                     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Unique identifier 'R' 'E' 'M' 'B'                            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Num SSRC     | BR Exp    |  BR Mantissa                      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |   SSRC feedback                                               |  (Num SSRC times)
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Bitrate (bps) = mantissa (18 bits) * 2^exp (6 bits).
using System.Buffers.Binary;

namespace Mcu.Rtc.Rtcp;

public readonly ref struct ReceiverEstimatedMaxBitrate
{
    public const int FixedLength = 20;
    private const int SenderSsrcOffset = 4;
    private const int MediaSsrcOffset = 8;
    private const int IdentifierOffset = 12;
    private const int SsrcCountOffset = 16;
    private const int BitrateOffset = 17;
    private const int SsrcLength = 4;
    private const int MantissaBits = 18;
    private const uint MaxMantissa = (1u << MantissaBits) - 1;
    private const int MaxExponent = 63;

    private static ReadOnlySpan<byte> Identifier => "REMB"u8;

    private readonly ReadOnlySpan<byte> _rawSsrcs;
    private readonly ReadOnlySpan<uint> _ssrcs;
    private readonly bool _parsed;

    public ReceiverEstimatedMaxBitrate(uint senderSsrc, ulong bitrate, ReadOnlySpan<uint> ssrcs)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ssrcs.Length, byte.MaxValue);
        SenderSsrc = senderSsrc;
        Bitrate = bitrate;
        _ssrcs = ssrcs;
    }

    private ReceiverEstimatedMaxBitrate(uint senderSsrc, ulong bitrate, ReadOnlySpan<byte> rawSsrcs)
    {
        SenderSsrc = senderSsrc;
        Bitrate = bitrate;
        _rawSsrcs = rawSsrcs;
        _parsed = true;
    }

    public uint SenderSsrc { get; }

    /// <summary>Estimated maximum bitrate in bits per second. Written rounded down to an 18-bit mantissa.</summary>
    public ulong Bitrate { get; }

    public int SsrcCount => _parsed ? _rawSsrcs.Length / SsrcLength : _ssrcs.Length;
    public int SerializedLength => FixedLength + (SsrcCount * SsrcLength);

    public uint GetSsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SsrcCount);
        return _parsed ? BinaryPrimitives.ReadUInt32BigEndian(_rawSsrcs[(index * SsrcLength)..]) : _ssrcs[index];
    }

    public static bool TryParse(ReadOnlySpan<byte> source, out ReceiverEstimatedMaxBitrate remb)
    {
        remb = default;
        if (!RtcpHeader.TryGetPacket(source, RtcpPacketType.PayloadSpecificFeedback, RtcpPacketType.ApplicationLayerFeedbackFormat, out _, out ReadOnlySpan<byte> packet)
            || packet.Length < FixedLength
            || !packet.Slice(IdentifierOffset, 4).SequenceEqual(Identifier))
        {
            return false;
        }

        int ssrcCount = packet[SsrcCountOffset];
        if (packet.Length < FixedLength + (ssrcCount * SsrcLength))
        {
            return false;
        }

        int exponent = packet[BitrateOffset] >> 2;
        uint mantissa = ((uint)(packet[BitrateOffset] & 0x03) << 16) | BinaryPrimitives.ReadUInt16BigEndian(packet[(BitrateOffset + 1)..]);
        ulong bitrate = exponent + MantissaBits > 64 ? ulong.MaxValue : (ulong)mantissa << exponent;
        remb = new ReceiverEstimatedMaxBitrate(
            BinaryPrimitives.ReadUInt32BigEndian(packet[SenderSsrcOffset..]),
            bitrate,
            packet.Slice(FixedLength, ssrcCount * SsrcLength));
        return true;
    }

    public int WriteTo(Span<byte> destination)
    {
        int length = SerializedLength;
        if (destination.Length < length)
        {
            return 0;
        }

        int exponent = 0;
        ulong mantissa = Bitrate;
        while (mantissa > MaxMantissa && exponent < MaxExponent)
        {
            mantissa >>= 1;
            exponent++;
        }

        RtcpHeader.Write(destination, RtcpPacketType.ApplicationLayerFeedbackFormat, RtcpPacketType.PayloadSpecificFeedback, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[SenderSsrcOffset..], SenderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[MediaSsrcOffset..], 0);
        Identifier.CopyTo(destination[IdentifierOffset..]);
        destination[SsrcCountOffset] = (byte)SsrcCount;
        destination[BitrateOffset] = (byte)((exponent << 2) | (int)(mantissa >> 16));
        BinaryPrimitives.WriteUInt16BigEndian(destination[(BitrateOffset + 1)..], (ushort)mantissa);
        for (int i = 0; i < SsrcCount; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(FixedLength + (i * SsrcLength))..], GetSsrc(i));
        }

        return length;
    }
}
