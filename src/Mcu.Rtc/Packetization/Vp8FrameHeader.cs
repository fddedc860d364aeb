using System.Buffers.Binary;

namespace Mcu.Rtc.Packetization;

/*
 RFC 7741 §4.3, VP8 payload header (first bytes of the VP8 frame, i.e. of the data after the
 descriptor in the packet with S=1 and PID=0), from RFC 6386 §9.1:

      0 1 2 3 4 5 6 7
     +-+-+-+-+-+-+-+-+
     |Size0|H| VER |P|      P: inverse key frame flag (0 = key frame)
     +-+-+-+-+-+-+-+-+      H: show_frame
     |     Size1     |      VER: version
     +-+-+-+-+-+-+-+-+      first partition size = Size0 + 8 * Size1 + 2048 * Size2
     |     Size2     |
     +-+-+-+-+-+-+-+-+

 Key frames only (RFC 6386 §9.1), 7 more bytes:
     +-+-+-+-+-+-+-+-+
     | 0x9d 0x01 0x2a|      start code (3 bytes)
     +-+-+-+-+-+-+-+-+
     | scale(2) | width(14)  |   16 bits little-endian
     | scale(2) | height(14) |   16 bits little-endian
*/

/// <summary>The VP8 frame tag and, for key frames, the picture size (RFC 7741 §4.3, RFC 6386 §9.1).</summary>
public readonly struct Vp8FrameHeader
{
    public const int InterframeLength = 3;
    public const int KeyframeLength = 10;

    private const int StartCodeOffset = 3;
    private const int WidthOffset = 6;
    private const int HeightOffset = 8;
    private const ushort SizeMask = 0x3FFF;

    private Vp8FrameHeader(byte tag0, int firstPartitionSize, ushort width, ushort height)
    {
        _tag0 = tag0;
        FirstPartitionSize = firstPartitionSize;
        _width = width;
        _height = height;
    }

    private readonly byte _tag0;
    private readonly ushort _width;
    private readonly ushort _height;

    public bool IsKeyframe => (_tag0 & 0x01) == 0;
    public int Version => (_tag0 >> 1) & 0x07;
    public bool ShowFrame => (_tag0 & 0x10) != 0;
    public int FirstPartitionSize { get; }

    /// <summary>Width in pixels (key frames only, else 0).</summary>
    public int Width => _width & SizeMask;
    public int Height => _height & SizeMask;
    public int HorizontalScale => _width >> 14;
    public int VerticalScale => _height >> 14;

    /// <summary>Parses the start of a VP8 frame; a key frame must carry its start code.</summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, out Vp8FrameHeader header)
    {
        header = default;
        if (frame.Length < InterframeLength)
        {
            return false;
        }
        byte tag0 = frame[0];
        int firstPartitionSize = (tag0 | (frame[1] << 8) | (frame[2] << 16)) >> 5;
        if ((tag0 & 0x01) != 0)
        {
            header = new Vp8FrameHeader(tag0, firstPartitionSize, 0, 0);
            return true;
        }
        if (frame.Length < KeyframeLength
            || frame[StartCodeOffset] != 0x9D || frame[StartCodeOffset + 1] != 0x01 || frame[StartCodeOffset + 2] != 0x2A)
        {
            return false;
        }
        header = new Vp8FrameHeader(
            tag0,
            firstPartitionSize,
            BinaryPrimitives.ReadUInt16LittleEndian(frame[WidthOffset..]),
            BinaryPrimitives.ReadUInt16LittleEndian(frame[HeightOffset..]));
        return true;
    }
}
