namespace Mcu.Media.Compositing;

/// <summary>
/// A translucent picture drawn over a tile (name label, speaker highlight), kept as I420 plus alpha
/// for each plane resolution. Only runs of non-transparent pixels are stored, so blending a thin border
/// or a small label touches only those pixels.
/// </summary>
internal sealed class TileOverlay
{
    private readonly Run[] _lumaRuns;
    private readonly Run[] _chromaRuns;

    /// <param name="Offset">Index of the first pixel in the overlay's packed plane arrays.</param>
    private readonly record struct Run(int Row, int Column, int Length, int Offset);

    private readonly byte[] _y, _yAlpha, _u, _v, _chromaAlpha;

    private TileOverlay(byte[] y, byte[] yAlpha, Run[] lumaRuns, byte[] u, byte[] v, byte[] chromaAlpha, Run[] chromaRuns)
    {
        _y = y;
        _yAlpha = yAlpha;
        _lumaRuns = lumaRuns;
        _u = u;
        _v = v;
        _chromaAlpha = chromaAlpha;
        _chromaRuns = chromaRuns;
    }

    public long LastUsed { get; set; }

    /// <summary>Builds the overlay from premultiplied RGBA (what Skia draws into).</summary>
    public static TileOverlay FromPremultipliedRgba(ReadOnlySpan<byte> rgba, int width, int height)
    {
        var lumaRuns = new List<Run>();
        var y = new List<byte>();
        var yAlpha = new List<byte>();
        for (int row = 0; row < height; row++)
        {
            for (int x = 0; x < width;)
            {
                if (rgba[(row * width + x) * 4 + 3] == 0)
                {
                    x++;
                    continue;
                }

                int start = x;
                for (; x < width && rgba[(row * width + x) * 4 + 3] != 0; x++)
                {
                    var (r, g, b, a) = Straight(rgba, (row * width + x) * 4);
                    y.Add(Bt601.LumaOf(r, g, b));
                    yAlpha.Add((byte)a);
                }

                lumaRuns.Add(new Run(row, start, x - start, y.Count - (x - start)));
            }
        }

        int chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2;
        var chromaRuns = new List<Run>();
        var u = new List<byte>();
        var v = new List<byte>();
        var chromaAlpha = new List<byte>();
        for (int cy = 0; cy < chromaHeight; cy++)
        {
            for (int cx = 0; cx < chromaWidth;)
            {
                if (BlockAlpha(rgba, width, height, cx, cy) == 0)
                {
                    cx++;
                    continue;
                }

                int start = cx;
                for (; cx < chromaWidth && BlockAlpha(rgba, width, height, cx, cy) != 0; cx++)
                {
                    // Colour of the block weighted by coverage, so a half-covered block keeps the overlay's hue.
                    int r = 0, g = 0, b = 0, a = 0;
                    for (int i = 0; i < 4; i++)
                    {
                        int px = Math.Min(2 * cx + (i & 1), width - 1), py = Math.Min(2 * cy + (i >> 1), height - 1);
                        int o = (py * width + px) * 4;
                        r += rgba[o];
                        g += rgba[o + 1];
                        b += rgba[o + 2];
                        a += rgba[o + 3];
                    }

                    u.Add(Bt601.CbOf(r * 255 / a, g * 255 / a, b * 255 / a));
                    v.Add(Bt601.CrOf(r * 255 / a, g * 255 / a, b * 255 / a));
                    chromaAlpha.Add((byte)((a + 2) / 4));
                }

                chromaRuns.Add(new Run(cy, start, cx - start, u.Count - (cx - start)));
            }
        }

        return new TileOverlay(y.ToArray(), yAlpha.ToArray(), lumaRuns.ToArray(), u.ToArray(), v.ToArray(), chromaAlpha.ToArray(), chromaRuns.ToArray());
    }

    /// <summary>Blends over the canvas with the overlay's top-left corner at luma (x, y); x and y are even.</summary>
    public void BlendOnto(in CanvasPlanes canvas, int x, int y)
    {
        foreach (var run in _lumaRuns)
        {
            Blend(canvas.Y.Slice((y + run.Row) * canvas.Width + x + run.Column, run.Length), _y.AsSpan(run.Offset, run.Length), _yAlpha.AsSpan(run.Offset, run.Length));
        }

        int chromaStride = canvas.ChromaWidth;
        foreach (var run in _chromaRuns)
        {
            int at = (y / 2 + run.Row) * chromaStride + x / 2 + run.Column;
            var alpha = _chromaAlpha.AsSpan(run.Offset, run.Length);
            Blend(canvas.U.Slice(at, run.Length), _u.AsSpan(run.Offset, run.Length), alpha);
            Blend(canvas.V.Slice(at, run.Length), _v.AsSpan(run.Offset, run.Length), alpha);
        }
    }

    private static void Blend(Span<byte> target, ReadOnlySpan<byte> source, ReadOnlySpan<byte> alpha)
    {
        for (int i = 0; i < target.Length; i++)
        {
            int a = alpha[i] + (alpha[i] >> 7); // 0..255 -> 0..256 so that opaque replaces exactly
            target[i] = (byte)((source[i] * a + target[i] * (256 - a) + 128) >> 8);
        }
    }

    private static int BlockAlpha(ReadOnlySpan<byte> rgba, int width, int height, int cx, int cy)
    {
        int sum = 0;
        for (int i = 0; i < 4; i++)
        {
            int px = Math.Min(2 * cx + (i & 1), width - 1), py = Math.Min(2 * cy + (i >> 1), height - 1);
            sum += rgba[(py * width + px) * 4 + 3];
        }

        return sum;
    }

    private static (int R, int G, int B, int A) Straight(ReadOnlySpan<byte> rgba, int o)
    {
        int a = rgba[o + 3];
        return (rgba[o] * 255 / a, rgba[o + 1] * 255 / a, rgba[o + 2] * 255 / a, a);
    }
}
