using System.Runtime.Intrinsics;

namespace Mcu.Media.Compositing;

/// <summary>A rectangle of one plane cropped from a source and the size it is scaled to.</summary>
internal readonly record struct PlaneScale(int SourceWidth, int SourceHeight, int CropX, int CropY, int CropWidth, int CropHeight, int TargetWidth, int TargetHeight)
{
    public bool IsCopy => CropWidth == TargetWidth && CropHeight == TargetHeight;
}

/// <summary>
/// Bilinear sample positions for one <see cref="PlaneScale"/>, computed once and reused every frame.
/// Each entry packs the left/top neighbour index with an 8-bit weight (0..256) of the next one; the index is
/// kept below the last pixel so that index + 1 is always inside the source and the inner loop needs no clamp.
/// </summary>
internal sealed class ScaleMap
{
    public const int WeightBits = 9;
    public const int WeightMask = (1 << WeightBits) - 1;

    public ScaleMap(PlaneScale scale)
    {
        Scale = scale;
        Columns = Axis(scale.SourceWidth, scale.CropX, scale.CropWidth, scale.TargetWidth);
        Rows = Axis(scale.SourceHeight, scale.CropY, scale.CropHeight, scale.TargetHeight);
        FirstColumn = Columns[0] >> WeightBits;
        ColumnSpan = (Columns[^1] >> WeightBits) + 2 - FirstColumn;
    }

    public PlaneScale Scale { get; }

    /// <summary>Per target column: source column &lt;&lt; <see cref="WeightBits"/> | weight of the column after it.</summary>
    public int[] Columns { get; }

    /// <summary>Per target row, packed like <see cref="Columns"/>.</summary>
    public int[] Rows { get; }

    /// <summary>The source columns the target reads: [FirstColumn, FirstColumn + ColumnSpan).</summary>
    public int FirstColumn { get; }

    public int ColumnSpan { get; }

    /// <summary>Pixel centres aligned: target pixel d samples the source at crop + (d + 0.5) * crop / target - 0.5.</summary>
    private static int[] Axis(int sourceLength, int cropStart, int cropLength, int targetLength)
    {
        var entries = new int[targetLength];
        double step = (double)cropLength / targetLength;
        for (int d = 0; d < targetLength; d++)
        {
            double pos = Math.Clamp(cropStart + (d + 0.5) * step - 0.5, 0, sourceLength - 1);
            int index = Math.Min((int)pos, sourceLength - 2);
            int weight = (int)Math.Round((pos - index) * 256);
            entries[d] = index << WeightBits | weight;
        }

        return entries;
    }
}

/// <summary>
/// Scales one plane region into another plane (I420 planes are scaled separately). Bilinear, in two steps per
/// target row: blend the two source rows it lies between (vectorised), then pick and blend column pairs.
/// </summary>
internal static class PlaneScaler
{
    /// <summary>Planes narrower than this are not scaled (index + 1 must exist).</summary>
    public const int MinSourceSize = 2;

    /// <param name="rowBuffer">At least <see cref="ScaleMap.ColumnSpan"/> bytes of scratch.</param>
    public static void Scale(ReadOnlySpan<byte> source, int sourceStride, ScaleMap map, Span<byte> target, int targetStride, int targetX, int targetY, Span<byte> rowBuffer)
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

        int first = map.FirstColumn, span = map.ColumnSpan;
        var blended = rowBuffer[..span];
        ReadOnlySpan<int> columns = map.Columns;
        for (int row = 0; row < s.TargetHeight; row++)
        {
            int entry = map.Rows[row];
            int sourceRow = entry >> ScaleMap.WeightBits, wy = entry & ScaleMap.WeightMask;
            var top = source.Slice(sourceRow * sourceStride + first, span);
            ReadOnlySpan<byte> line = top;
            if (wy != 0)
            {
                BlendRows(top, source.Slice((sourceRow + 1) * sourceStride + first, span), wy, blended);
                line = blended;
            }

            var output = target.Slice((targetY + row) * targetStride + targetX, s.TargetWidth);
            for (int x = 0; x < output.Length && x < columns.Length; x++)
            {
                int c = columns[x];
                int i = (c >> ScaleMap.WeightBits) - first, w = c & ScaleMap.WeightMask;
                output[x] = (byte)((line[i] * (256 - w) + line[i + 1] * w + 128) >> 8);
            }
        }
    }

    /// <summary>result = (top * (256 - w) + bottom * w + 128) / 256, 16-bit lanes (the sum stays below 65536).</summary>
    private static void BlendRows(ReadOnlySpan<byte> top, ReadOnlySpan<byte> bottom, int w, Span<byte> result)
    {
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var wt = Vector128.Create((ushort)(256 - w));
            var wb = Vector128.Create((ushort)w);
            var round = Vector128.Create((ushort)128);
            for (; i + 16 <= result.Length; i += 16)
            {
                var (tl, th) = Vector128.Widen(Vector128.Create(top.Slice(i, 16)));
                var (bl, bh) = Vector128.Widen(Vector128.Create(bottom.Slice(i, 16)));
                var low = Vector128.ShiftRightLogical(tl * wt + bl * wb + round, 8);
                var high = Vector128.ShiftRightLogical(th * wt + bh * wb + round, 8);
                Vector128.Narrow(low, high).CopyTo(result[i..]);
            }
        }

        for (; i < result.Length; i++)
        {
            result[i] = (byte)((top[i] * (256 - w) + bottom[i] * w + 128) >> 8);
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
