namespace Mcu.Media.Compositing;

/// <summary>A rectangle of one plane cropped from a source and the size it is scaled to.</summary>
internal readonly record struct PlaneScale(int SourceWidth, int SourceHeight, int CropX, int CropY, int CropWidth, int CropHeight, int TargetWidth, int TargetHeight)
{
    public bool IsCopy => CropWidth == TargetWidth && CropHeight == TargetHeight;
}

/// <summary>
/// Bilinear sample positions for one <see cref="PlaneScale"/>, computed once and reused every frame
/// (8-bit fixed-point weights, neighbours clamped to the source edge so the inner loop needs no checks).
/// </summary>
internal sealed class ScaleMap
{
    public ScaleMap(PlaneScale scale)
    {
        Scale = scale;
        (X0, X1, XWeight) = Axis(scale.SourceWidth, scale.CropX, scale.CropWidth, scale.TargetWidth);
        (Y0, Y1, YWeight) = Axis(scale.SourceHeight, scale.CropY, scale.CropHeight, scale.TargetHeight);
    }

    public PlaneScale Scale { get; }
    public int[] X0 { get; }
    public int[] X1 { get; }
    public int[] XWeight { get; }
    public int[] Y0 { get; }
    public int[] Y1 { get; }
    public int[] YWeight { get; }

    /// <summary>Pixel centres aligned: target pixel d samples the source at crop + (d + 0.5) * crop / target - 0.5.</summary>
    private static (int[] I0, int[] I1, int[] Weight) Axis(int sourceLength, int cropStart, int cropLength, int targetLength)
    {
        var i0 = new int[targetLength];
        var i1 = new int[targetLength];
        var weight = new int[targetLength];
        double step = (double)cropLength / targetLength;
        for (int d = 0; d < targetLength; d++)
        {
            double pos = Math.Clamp(cropStart + (d + 0.5) * step - 0.5, 0, sourceLength - 1);
            int index = (int)pos;
            i0[d] = index;
            i1[d] = Math.Min(index + 1, sourceLength - 1);
            weight[d] = (int)Math.Round((pos - index) * 256);
        }

        return (i0, i1, weight);
    }
}

/// <summary>Scales one plane region into another plane (I420 planes are scaled separately).</summary>
internal static class PlaneScaler
{
    public static void Scale(ReadOnlySpan<byte> source, int sourceStride, ScaleMap map, Span<byte> target, int targetStride, int targetX, int targetY)
    {
        var s = map.Scale;
        if (s.IsCopy)
        {
            for (int row = 0; row < s.TargetHeight; row++)
            {
                source.Slice((s.CropY + row) * sourceStride + s.CropX, s.CropWidth)
                    .CopyTo(target.Slice((targetY + row) * targetStride + targetX, s.TargetWidth));
            }

            return;
        }

        int[] x0 = map.X0, x1 = map.X1, xw = map.XWeight;
        for (int row = 0; row < s.TargetHeight; row++)
        {
            var top = source.Slice(map.Y0[row] * sourceStride, s.SourceWidth);
            var bottom = source.Slice(map.Y1[row] * sourceStride, s.SourceWidth);
            var output = target.Slice((targetY + row) * targetStride + targetX, s.TargetWidth);
            int wy = map.YWeight[row];
            if (wy == 0)
            {
                for (int x = 0; x < output.Length; x++)
                {
                    int w = xw[x];
                    output[x] = (byte)((top[x0[x]] * (256 - w) + top[x1[x]] * w + 128) >> 8);
                }

                continue;
            }

            for (int x = 0; x < output.Length; x++)
            {
                int w = xw[x];
                int upper = top[x0[x]] * (256 - w) + top[x1[x]] * w;
                int lower = bottom[x0[x]] * (256 - w) + bottom[x1[x]] * w;
                output[x] = (byte)((upper * (256 - wy) + lower * wy + 32768) >> 16);
            }
        }
    }

    public static void Fill(Span<byte> plane, int stride, int x, int y, int width, int height, byte value)
    {
        for (int row = 0; row < height; row++)
        {
            plane.Slice((y + row) * stride + x, width).Fill(value);
        }
    }
}
