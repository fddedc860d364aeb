using System.Runtime.Intrinsics;

namespace Mcu.Media.Compositing;

/// <summary>A rectangle of one plane cropped from a source and the size it is scaled to.</summary>
internal readonly record struct PlaneScale(int SourceWidth, int SourceHeight, int CropX, int CropY, int CropWidth, int CropHeight, int TargetWidth, int TargetHeight)
{
    public bool IsCopy => CropWidth == TargetWidth && CropHeight == TargetHeight;
}

/// <summary>
/// Filter taps for one <see cref="PlaneScale"/>, computed once and reused every frame. Along each axis, every
/// target pixel reads <see cref="FilterAxis.Taps"/> consecutive source pixels with 8-bit weights summing to 256:
/// bilinear (2 taps) when enlarging or shrinking by less than 2, and an area average (box filter) when shrinking
/// by 2 or more, where bilinear would skip source pixels and alias.
/// </summary>
internal sealed class ScaleMap
{
    public ScaleMap(PlaneScale scale)
    {
        Scale = scale;
        Columns = new FilterAxis(scale.SourceWidth, scale.CropX, scale.CropWidth, scale.TargetWidth);
        Rows = new FilterAxis(scale.SourceHeight, scale.CropY, scale.CropHeight, scale.TargetHeight);
        FirstColumn = Columns.Start[0];
        ColumnSpan = Columns.Start[^1] + Columns.Taps - FirstColumn;
    }

    public PlaneScale Scale { get; }
    public FilterAxis Columns { get; }
    public FilterAxis Rows { get; }

    /// <summary>The source columns the target reads: [FirstColumn, FirstColumn + ColumnSpan).</summary>
    public int FirstColumn { get; }

    public int ColumnSpan { get; }
}

internal sealed class FilterAxis
{
    public FilterAxis(int sourceLength, int cropStart, int cropLength, int targetLength)
    {
        double step = (double)cropLength / targetLength;
        bool bilinear = step < 2;
        Taps = bilinear ? 2 : AreaTaps(cropStart, step, targetLength, sourceLength);
        Start = new int[targetLength];
        Weights = new int[targetLength * Taps];
        var exact = new double[Taps]; // built once per cache entry; Taps can be large for a tiny tile
        for (int d = 0; d < targetLength; d++)
        {
            Array.Clear(exact);
            int start;
            if (bilinear)
            {
                // Pixel centres aligned: target pixel d samples the source at crop + (d + 0.5) * step - 0.5.
                double pos = Math.Clamp(cropStart + (d + 0.5) * step - 0.5, 0, sourceLength - 1);
                start = Math.Min((int)pos, sourceLength - 2);
                exact[0] = 1 - (pos - start);
                exact[1] = pos - start;
            }
            else
            {
                // Target pixel d covers [a, b) of the source; each source pixel weighs by its overlap.
                double a = cropStart + d * step, b = a + step;
                start = Math.Min((int)a, sourceLength - Taps);
                for (int j = 0; j < Taps; j++)
                {
                    int i = start + j;
                    exact[j] = Math.Max(0, Math.Min(b, i + 1) - Math.Max(a, i)) / step;
                }
            }

            Start[d] = start;
            Quantise(exact, Weights.AsSpan(d * Taps, Taps));
        }
    }

    public int Taps { get; }

    /// <summary>First source pixel read by each target pixel.</summary>
    public int[] Start { get; }

    /// <summary><see cref="Taps"/> weights per target pixel, each group summing to exactly 256.</summary>
    public int[] Weights { get; }

    /// <summary>The most source pixels any target pixel's interval touches (2 for an exact halving, not 3).</summary>
    private static int AreaTaps(int cropStart, double step, int targetLength, int sourceLength)
    {
        int taps = 2;
        for (int d = 0; d < targetLength; d++)
        {
            double a = cropStart + d * step;
            taps = Math.Max(taps, (int)Math.Ceiling(a + step - 1e-9) - (int)a);
        }

        return Math.Min(taps, sourceLength);
    }

    private static void Quantise(ReadOnlySpan<double> exact, Span<int> weights)
    {
        int sum = 0, largest = 0;
        for (int j = 0; j < exact.Length; j++)
        {
            weights[j] = (int)Math.Round(exact[j] * 256);
            sum += weights[j];
            largest = weights[j] > weights[largest] ? j : largest;
        }

        weights[largest] += 256 - sum;
    }
}

/// <summary>
/// Scales one plane region into another plane (I420 planes are scaled separately), separably: per target row,
/// filter the source rows it reads into one line (vectorised), then filter that line's columns.
/// </summary>
internal static class PlaneScaler
{
    /// <summary>Planes narrower or shorter than this are not scaled (a 2-tap filter needs two pixels).</summary>
    public const int MinSourceSize = 2;

    /// <param name="line">At least <see cref="ScaleMap.ColumnSpan"/> bytes of scratch.</param>
    public static void Scale(ReadOnlySpan<byte> source, int sourceStride, ScaleMap map, Span<byte> target, int targetStride, int targetX, int targetY, Span<byte> line)
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
        var filtered = line[..span];
        var rows = map.Rows;
        for (int row = 0; row < s.TargetHeight; row++)
        {
            int sourceRow = rows.Start[row];
            var weights = rows.Weights.AsSpan(row * rows.Taps, rows.Taps);
            ReadOnlySpan<byte> input;
            if (weights[0] == 256)
            {
                input = source.Slice(sourceRow * sourceStride + first, span);
            }
            else
            {
                FilterRows(source, sourceStride, sourceRow, first, weights, filtered);
                input = filtered;
            }

            var output = target.Slice((targetY + row) * targetStride + targetX, s.TargetWidth);
            if (map.Columns.Taps == 2)
            {
                FilterColumns2(input, first, map.Columns, output);
            }
            else
            {
                FilterColumns(input, first, map.Columns, output);
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

    /// <summary>
    /// filtered = (sum of row_j * w_j + 128) / 256, sixteen columns at a time in 16-bit lanes (the weights sum
    /// to 256, so the sum stays below 65536), all taps summed in registers.
    /// </summary>
    private static void FilterRows(ReadOnlySpan<byte> source, int stride, int firstRow, int firstColumn, ReadOnlySpan<int> weights, Span<byte> filtered)
    {
        int origin = firstRow * stride + firstColumn;
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var round = Vector128.Create((ushort)128);
            for (; i + 16 <= filtered.Length; i += 16)
            {
                var low = round;
                var high = round;
                for (int j = 0; j < weights.Length; j++)
                {
                    var w = Vector128.Create((ushort)weights[j]);
                    var (l, h) = Vector128.Widen(Vector128.Create(source.Slice(origin + j * stride + i, 16)));
                    low += l * w;
                    high += h * w;
                }

                Vector128.Narrow(Vector128.ShiftRightLogical(low, 8), Vector128.ShiftRightLogical(high, 8)).CopyTo(filtered[i..]);
            }
        }

        for (; i < filtered.Length; i++)
        {
            int sum = 128;
            for (int j = 0; j < weights.Length; j++)
            {
                sum += source[origin + j * stride + i] * weights[j];
            }

            filtered[i] = (byte)(sum >> 8);
        }
    }

    private static void FilterColumns2(ReadOnlySpan<byte> line, int first, FilterAxis columns, Span<byte> output)
    {
        var start = columns.Start.AsSpan(0, output.Length);
        var weights = columns.Weights.AsSpan(0, 2 * output.Length);
        for (int x = 0; x < output.Length; x++)
        {
            int i = start[x] - first;
            output[x] = (byte)((line[i] * weights[2 * x] + line[i + 1] * weights[2 * x + 1] + 128) >> 8);
        }
    }

    private static void FilterColumns(ReadOnlySpan<byte> line, int first, FilterAxis columns, Span<byte> output)
    {
        int taps = columns.Taps;
        ReadOnlySpan<int> start = columns.Start;
        ReadOnlySpan<int> weights = columns.Weights;
        int w = 0;
        for (int x = 0; x < output.Length; x++)
        {
            int i = start[x] - first;
            int sum = 128;
            for (int j = 0; j < taps; j++)
            {
                sum += line[i + j] * weights[w++];
            }

            output[x] = (byte)(sum >> 8);
        }
    }
}
