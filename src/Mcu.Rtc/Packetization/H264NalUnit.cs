namespace Mcu.Rtc.Packetization;

/*
 RFC 6184 §1.3 / §5.3, NAL unit header (H.264 §7.3.1), first byte of every H.264 NAL unit and of
 every H.264 RTP payload:

      +---------------+
      |0|1|2|3|4|5|6|7|
      +-+-+-+-+-+-+-+-+
      |F|NRI|  Type   |
      +---------------+

 Types 1-23 are single NAL units; 24 is STAP-A (§5.7.1) and 28 is FU-A (§5.8).
*/

/// <summary>NAL unit types used by packetization (H.264 Table 7-1, RFC 6184 Table 1).</summary>
public enum H264NalUnitType : byte
{
    NonIdrSlice = 1,
    DataPartitionA = 2,
    IdrSlice = 5,
    Sei = 6,
    Sps = 7,
    Pps = 8,
    AccessUnitDelimiter = 9,
    StapA = 24,
    FuA = 28,
}

/// <summary>NAL unit header bits and the access-unit start rule shared by the H.264 packetizer and depacketizer.</summary>
public static class H264NalUnit
{
    public const byte ForbiddenBit = 0x80;
    public const byte NriMask = 0x60;
    public const byte TypeMask = 0x1F;
    public const int MaxSingleNalType = 23;

    public static H264NalUnitType TypeOf(byte header) => (H264NalUnitType)(header & TypeMask);

    /// <summary>
    /// Whether a NAL of this type, whose bytes after the header start with <paramref name="body"/>,
    /// is the first NAL of an access unit. Slices: first_mb_in_slice is ue(v) and equals 0 exactly
    /// when its first bit is 1 (H.264 §7.4.1.2.3 order; arbitrary slice order is not recognised).
    /// </summary>
    public static bool BeginsAccessUnit(H264NalUnitType type, ReadOnlySpan<byte> body) => type switch
    {
        H264NalUnitType.AccessUnitDelimiter or H264NalUnitType.Sei
            or H264NalUnitType.Sps or H264NalUnitType.Pps => true,
        H264NalUnitType.NonIdrSlice or H264NalUnitType.IdrSlice or H264NalUnitType.DataPartitionA
            => !body.IsEmpty && (body[0] & 0x80) != 0,
        _ => false,
    };
}
