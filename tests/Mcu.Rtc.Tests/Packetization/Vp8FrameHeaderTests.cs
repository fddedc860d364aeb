using Mcu.Rtc.Packetization;

namespace Mcu.Rtc.Tests.Packetization;

public class Vp8FrameHeaderTests
{
    /// <summary>A key frame start as libvpx writes it: frame tag, start code 9d 01 2a, width, height.</summary>
    internal static byte[] Keyframe(int width, int height, int totalLength, int seed = 1, int horizontalScale = 0)
    {
        var frame = new byte[totalLength];
        new Random(seed).NextBytes(frame);
        int firstPartitionSize = Math.Min(totalLength - 10, 0x7FFFF);
        uint tag = (uint)(firstPartitionSize << 5) | 0x10; // show_frame=1, version 0, P=0 (key frame)
        frame[0] = (byte)tag;
        frame[1] = (byte)(tag >> 8);
        frame[2] = (byte)(tag >> 16);
        frame[3] = 0x9D;
        frame[4] = 0x01;
        frame[5] = 0x2A;
        frame[6] = (byte)width;
        frame[7] = (byte)((width >> 8) | (horizontalScale << 6));
        frame[8] = (byte)height;
        frame[9] = (byte)(height >> 8);
        return frame;
    }

    internal static byte[] Interframe(int totalLength, int seed = 2)
    {
        var frame = new byte[totalLength];
        new Random(seed).NextBytes(frame);
        frame[0] |= 0x01; // P=1
        return frame;
    }

    [Fact]
    public void ReadsKeyframeSize()
    {
        var frame = Keyframe(640, 480, 2000, horizontalScale: 2);
        Assert.True(Vp8FrameHeader.TryParse(frame, out var header));
        Assert.True(header.IsKeyframe);
        Assert.True(header.ShowFrame);
        Assert.Equal(0, header.Version);
        Assert.Equal(1990, header.FirstPartitionSize);
        Assert.Equal(640, header.Width);
        Assert.Equal(480, header.Height);
        Assert.Equal(2, header.HorizontalScale);
        Assert.Equal(0, header.VerticalScale);
    }

    [Fact]
    public void InterframeHasNoSize()
    {
        Assert.True(Vp8FrameHeader.TryParse(Interframe(100), out var header));
        Assert.False(header.IsKeyframe);
        Assert.Equal(0, header.Width);
    }

    [Fact]
    public void RejectsKeyframeWithoutStartCodeOrTooShort()
    {
        var frame = Keyframe(320, 240, 50);
        frame[4] = 0x02;
        Assert.False(Vp8FrameHeader.TryParse(frame, out _));
        Assert.False(Vp8FrameHeader.TryParse(Keyframe(320, 240, 50).AsSpan(0, 9), out _));
        Assert.False(Vp8FrameHeader.TryParse([0x01, 0x00], out _));
    }
}
