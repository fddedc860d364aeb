using Mcu.Media.Compositing;

namespace Mcu.Media.Tests.Compositing;

public class Bt601Tests
{
    [Theory]
    [InlineData(0xFF000000u, 16, 128, 128)]
    [InlineData(0xFFFFFFFFu, 235, 128, 128)]
    [InlineData(0xFFFF0000u, 82, 90, 240)]
    [InlineData(0xFF00FF00u, 145, 54, 34)]
    [InlineData(0xFF0000FFu, 41, 240, 110)]
    public void FromArgb_MatchesTheLimitedRangeReferenceValues(uint argb, byte y, byte u, byte v)
    {
        // Reference values from the exact BT.601 matrix; 8-bit integer coefficients may be off by one.
        var actual = Bt601.FromArgb(argb);
        Assert.InRange(actual.Y, y - 1, y + 1);
        Assert.InRange(actual.U, u - 1, u + 1);
        Assert.InRange(actual.V, v - 1, v + 1);
    }

    [Fact]
    public void VectorLumaRowEqualsTheScalarFormula()
    {
        var random = new Random(7);
        var rgba = new byte[37 * 4];
        random.NextBytes(rgba);
        var luma = new byte[37];

        Bt601.RgbaRowToLuma(rgba, luma);

        for (int x = 0; x < luma.Length; x++)
        {
            Assert.Equal(Bt601.LumaOf(rgba[4 * x], rgba[4 * x + 1], rgba[4 * x + 2]), luma[x]);
        }
    }

    [Fact]
    public void RgbaToI420_RoundTripsSolidColours()
    {
        foreach (uint argb in new[] { 0xFFFF0000u, 0xFF00FF00u, 0xFF0000FFu, 0xFFFFFF00u, 0xFF202020u })
        {
            var rgba = new byte[6 * 4 * 4];
            for (int i = 0; i < 24; i++)
            {
                rgba[4 * i] = (byte)(argb >> 16);
                rgba[4 * i + 1] = (byte)(argb >> 8);
                rgba[4 * i + 2] = (byte)argb;
                rgba[4 * i + 3] = 255;
            }

            byte[] y = new byte[24], u = new byte[6], v = new byte[6];
            Bt601.RgbaToI420(rgba, 6, 4, y, u, v);
            var (r, g, b) = Bt601.ToRgb(y[13], u[4], v[4]);
            Assert.InRange(r, (int)((argb >> 16) & 0xFF) - 3, (int)((argb >> 16) & 0xFF) + 3);
            Assert.InRange(g, (int)((argb >> 8) & 0xFF) - 3, (int)((argb >> 8) & 0xFF) + 3);
            Assert.InRange(b, (int)(argb & 0xFF) - 3, (int)(argb & 0xFF) + 3);
        }
    }
}
