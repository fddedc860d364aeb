using Mcu.Media.Compositing;
using Mcu.Media.Frames;

namespace Mcu.Testing;

/// <summary>Test pictures and tones, and measurements of what came back.</summary>
public static class Signals
{
    /// <summary>Fills <paramref name="pcm"/> with a sine continuing from sample <paramref name="offset"/>.</summary>
    public static void Sine(Span<short> pcm, double hz, long offset, double amplitude = 0.3)
    {
        for (int i = 0; i < pcm.Length; i++)
        {
            pcm[i] = (short)(amplitude * short.MaxValue * Math.Sin(2 * Math.PI * hz * (offset + i) / AudioFormat.SampleRate));
        }
    }

    /// <summary>Power of one frequency in dB relative to a full-scale sine (Goertzel, Hann window).</summary>
    public static double ToneDb(ReadOnlySpan<short> pcm, double hz)
    {
        double coefficient = 2 * Math.Cos(2 * Math.PI * hz / AudioFormat.SampleRate);
        double s1 = 0, s2 = 0, windowSum = 0;
        for (int i = 0; i < pcm.Length; i++)
        {
            double w = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / (pcm.Length - 1));
            windowSum += w;
            double s0 = pcm[i] / 32768.0 * w + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        double amplitude = 2 * Math.Sqrt(Math.Max(power, 0)) / windowSum;
        return 20 * Math.Log10(Math.Max(amplitude, 1e-9));
    }

    /// <summary>The RGB colour of a pixel of an I420 frame.</summary>
    public static (byte R, byte G, byte B) Pixel(VideoFrame frame, int x, int y)
    {
        byte luma = frame.Y[y * frame.Width + x];
        int ci = y / 2 * frame.ChromaWidth + x / 2;
        return Bt601.ToRgb(luma, frame.U[ci], frame.V[ci]);
    }

    /// <summary>The average colour of a small square around a point given in fractions of the picture.</summary>
    public static (int R, int G, int B) AverageColour(VideoFrame frame, double fx, double fy, int radius = 3)
    {
        int cx = (int)(fx * frame.Width), cy = (int)(fy * frame.Height);
        int r = 0, g = 0, b = 0, n = 0;
        for (int y = Math.Max(0, cy - radius); y <= Math.Min(frame.Height - 1, cy + radius); y++)
        {
            for (int x = Math.Max(0, cx - radius); x <= Math.Min(frame.Width - 1, cx + radius); x++)
            {
                var p = Pixel(frame, x, y);
                r += p.R;
                g += p.G;
                b += p.B;
                n++;
            }
        }
        return (r / n, g / n, b / n);
    }

    public static bool Near((int R, int G, int B) actual, (int R, int G, int B) expected, int tolerance) =>
        Math.Abs(actual.R - expected.R) <= tolerance && Math.Abs(actual.G - expected.G) <= tolerance && Math.Abs(actual.B - expected.B) <= tolerance;
}
