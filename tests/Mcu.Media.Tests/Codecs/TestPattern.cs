using Mcu.Media.Frames;

namespace Mcu.Media.Tests.Codecs;

/// <summary>
/// Eight vertical 100 % colour bars (BT.601 limited range) and a grey square that moves
/// 8 px to the right per frame across the lower half, so the bars' top rows stay clean.
/// </summary>
internal static class TestPattern
{
    public static readonly (byte Y, byte U, byte V)[] Bars =
    [
        (235, 128, 128), // white
        (210, 16, 146),  // yellow
        (170, 166, 16),  // cyan
        (145, 54, 34),   // green
        (106, 202, 222), // magenta
        (81, 90, 240),   // red
        (41, 240, 110),  // blue
        (16, 128, 128),  // black
    ];

    public const int SquareSize = 48;

    public static VideoFrame Draw(int width, int height, int index)
    {
        var frame = VideoFrame.Create(width, height);
        int barWidth = width / Bars.Length;
        for (int row = 0; row < height; row++)
        {
            for (int col = 0; col < width; col++)
            {
                frame.Y[row * width + col] = Bars[Math.Min(col / barWidth, Bars.Length - 1)].Y;
            }
        }
        for (int row = 0; row < frame.ChromaHeight; row++)
        {
            for (int col = 0; col < frame.ChromaWidth; col++)
            {
                var bar = Bars[Math.Min(col * 2 / barWidth, Bars.Length - 1)];
                frame.U[row * frame.ChromaWidth + col] = bar.U;
                frame.V[row * frame.ChromaWidth + col] = bar.V;
            }
        }
        int x0 = (16 + index * 8) % (width - SquareSize);
        int y0 = height / 2;
        for (int row = y0; row < y0 + SquareSize; row++)
        {
            frame.Y.Slice(row * width + x0, SquareSize).Fill(128);
        }
        for (int row = y0 / 2; row < (y0 + SquareSize) / 2; row++)
        {
            frame.U.Slice(row * frame.ChromaWidth + x0 / 2, SquareSize / 2).Fill(128);
            frame.V.Slice(row * frame.ChromaWidth + x0 / 2, SquareSize / 2).Fill(128);
        }
        frame.TimestampMicros = index * 33_333L;
        return frame;
    }

    /// <summary>PSNR over all three planes, in dB.</summary>
    public static double Psnr(VideoFrame expected, VideoFrame actual)
    {
        Assert.Equal(expected.Width, actual.Width);
        Assert.Equal(expected.Height, actual.Height);
        double sum = 0;
        for (int i = 0; i < expected.Buffer.Length; i++)
        {
            int d = expected.Buffer[i] - actual.Buffer[i];
            sum += d * d;
        }
        double mse = sum / expected.Buffer.Length;
        return mse == 0 ? 100 : 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    /// <summary>Asserts the colour at the middle of each bar, in the top rows the square never visits.</summary>
    public static void AssertBars(VideoFrame frame, int tolerance = 8)
    {
        int barWidth = frame.Width / Bars.Length;
        int row = frame.Height / 8;
        for (int bar = 0; bar < Bars.Length; bar++)
        {
            int col = bar * barWidth + barWidth / 2;
            var (y, u, v) = Bars[bar];
            int c = (row / 2) * frame.ChromaWidth + col / 2;
            Assert.InRange(frame.Y[row * frame.Width + col], y - tolerance, y + tolerance);
            Assert.InRange(frame.U[c], u - tolerance, u + tolerance);
            Assert.InRange(frame.V[c], v - tolerance, v + tolerance);
        }
    }
}
