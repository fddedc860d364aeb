using Mcu.Media.Codecs;
using Mcu.Media.Frames;

namespace Mcu.Media.Tests.Codecs;

public class FrameScalerTests
{
    [Fact]
    public void HalvingKeepsTheBars()
    {
        var source = TestPattern.Draw(640, 360, 0);
        source.TimestampMicros = 1234;
        var destination = VideoFrame.Create(320, 180);
        using var scaler = new FrameScaler(640, 360, 320, 180);
        scaler.Scale(source, destination);
        TestPattern.AssertBars(destination, tolerance: 3);
        Assert.Equal(1234, destination.TimestampMicros);
    }

    [Fact]
    public void RejectsFramesOfOtherSizes()
    {
        using var scaler = new FrameScaler(640, 360, 320, 180);
        Assert.Throws<ArgumentException>(() => scaler.Scale(VideoFrame.Create(320, 180), VideoFrame.Create(320, 180)));
    }
}
