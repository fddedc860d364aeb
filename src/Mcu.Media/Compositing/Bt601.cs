using System.Runtime.Intrinsics;

namespace Mcu.Media.Compositing;

/// <summary>
/// BT.601 limited-range colour conversion (Y 16..235, U/V 16..240), 8-bit fixed point.
/// The compositor converts only cached pictures (placeholders, overlays) with it, once per cache entry;
/// decoded video stays in I420 end to end.
/// </summary>
public static class Bt601
{
    public static byte LumaOf(int r, int g, int b) => (byte)(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);

    public static byte CbOf(int r, int g, int b) => (byte)(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128);

    public static byte CrOf(int r, int g, int b) => (byte)(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128);

    public static (byte Y, byte U, byte V) FromArgb(uint argb)
    {
        int r = (int)(argb >> 16) & 0xFF, g = (int)(argb >> 8) & 0xFF, b = (int)argb & 0xFF;
        return (LumaOf(r, g, b), CbOf(r, g, b), CrOf(r, g, b));
    }

    public static (byte R, byte G, byte B) ToRgb(byte y, byte u, byte v)
    {
        int c = 298 * (y - 16), d = u - 128, e = v - 128;
        return (Clamp((c + 409 * e + 128) >> 8), Clamp((c - 100 * d - 208 * e + 128) >> 8), Clamp((c + 516 * d + 128) >> 8));
    }

    /// <summary>
    /// Converts straight (unpremultiplied) RGBA, 4 bytes a pixel, packed rows, into I420 planes;
    /// chroma comes from the average of each 2x2 block. Odd sizes repeat the last column/row.
    /// </summary>
    public static void RgbaToI420(ReadOnlySpan<byte> rgba, int width, int height, Span<byte> y, Span<byte> u, Span<byte> v)
    {
        int chromaWidth = (width + 1) / 2;
        for (int row = 0; row < height; row++)
        {
            RgbaRowToLuma(rgba.Slice(row * width * 4, width * 4), y.Slice(row * width, width));
        }

        for (int cy = 0; cy < (height + 1) / 2; cy++)
        {
            int r0 = 2 * cy, r1 = Math.Min(r0 + 1, height - 1);
            for (int cx = 0; cx < chromaWidth; cx++)
            {
                int c0 = 2 * cx, c1 = Math.Min(c0 + 1, width - 1);
                int r = 0, g = 0, b = 0;
                Accumulate(rgba, (r0 * width + c0) * 4, ref r, ref g, ref b);
                Accumulate(rgba, (r0 * width + c1) * 4, ref r, ref g, ref b);
                Accumulate(rgba, (r1 * width + c0) * 4, ref r, ref g, ref b);
                Accumulate(rgba, (r1 * width + c1) * 4, ref r, ref g, ref b);
                r = (r + 2) >> 2;
                g = (g + 2) >> 2;
                b = (b + 2) >> 2;
                u[cy * chromaWidth + cx] = CbOf(r, g, b);
                v[cy * chromaWidth + cx] = CrOf(r, g, b);
            }
        }
    }

    /// <summary>Luma of one RGBA row, sixteen pixels at a time with Vector128 where the hardware has it.</summary>
    internal static void RgbaRowToLuma(ReadOnlySpan<byte> rgba, Span<byte> luma)
    {
        int x = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; x + 16 <= luma.Length; x += 16)
            {
                var first = Vector128.Narrow(LumaOf4(rgba.Slice(x * 4, 16)), LumaOf4(rgba.Slice(x * 4 + 16, 16)));
                var second = Vector128.Narrow(LumaOf4(rgba.Slice(x * 4 + 32, 16)), LumaOf4(rgba.Slice(x * 4 + 48, 16)));
                Vector128.Narrow(first.AsUInt16(), second.AsUInt16()).CopyTo(luma[x..]);
            }
        }

        for (; x < luma.Length; x++)
        {
            luma[x] = LumaOf(rgba[x * 4], rgba[x * 4 + 1], rgba[x * 4 + 2]);
        }
    }

    /// <summary>Each 32-bit lane holds one pixel, R | G&lt;&lt;8 | B&lt;&lt;16 | A&lt;&lt;24; the result (16..235) fits every narrowing.</summary>
    private static Vector128<int> LumaOf4(ReadOnlySpan<byte> fourPixels)
    {
        var px = Vector128.Create(fourPixels).AsInt32();
        var mask = Vector128.Create(0xFF);
        var r = px & mask;
        var g = Vector128.ShiftRightLogical(px, 8) & mask;
        var b = Vector128.ShiftRightLogical(px, 16) & mask;
        return Vector128.ShiftRightArithmetic(r * 66 + g * 129 + b * 25 + Vector128.Create(128 + (16 << 8)), 8);
    }

    private static void Accumulate(ReadOnlySpan<byte> rgba, int i, ref int r, ref int g, ref int b)
    {
        r += rgba[i];
        g += rgba[i + 1];
        b += rgba[i + 2];
    }

    private static byte Clamp(int value) => (byte)Math.Clamp(value, 0, 255);
}
