using Mcu.Media.Compositing;
using Mcu.Media.Frames;

namespace Mcu.Media.Tests.Compositing;

public class CompositorTests
{
    private const uint Red = 0xFFFF0000, Green = 0xFF00FF00, Blue = 0xFF0000FF, Yellow = 0xFFFFFF00;
    private static readonly CompositorStyle Style = new();

    [Fact]
    public void Grid2x2_EachQuadrantShowsItsSource()
    {
        using var compositor = new Compositor(640, 360);
        var output = VideoFrame.Create(640, 360);
        var colours = new[] { Red, Green, Blue, Yellow };
        var sources = colours.Select((c, i) => Source($"P{i}", Solid(640, 360, c))).ToArray();

        compositor.Compose(Layouts.Grid(2), sources, output);

        AssertColour(output, 160, 90, Red);
        AssertColour(output, 480, 90, Green);
        AssertColour(output, 160, 270, Blue);
        AssertColour(output, 480, 270, Yellow);
    }

    [Fact]
    public void SpeakerLayout_BigTileAndStripOfThree()
    {
        using var compositor = new Compositor(1280, 720);
        var output = VideoFrame.Create(1280, 720);
        LayoutRegion[] regions =
        [
            new(0, 0, 0.75, 1),
            new(0.75, 0, 0.25, 1 / 3.0),
            new(0.75, 1 / 3.0, 0.25, 1 / 3.0),
            new(0.75, 2 / 3.0, 0.25, 1 / 3.0),
        ];
        var sources = new[] { Red, Green, Blue, Yellow }.Select((c, i) => Source($"P{i}", Solid(640, 360, c))).ToArray();

        compositor.Compose(regions, sources, output);

        AssertColour(output, 480, 360, Red);
        AssertColour(output, 1120, 120, Green);
        AssertColour(output, 1120, 360, Blue);
        AssertColour(output, 1120, 600, Yellow);
    }

    [Fact]
    public void PictureInPicture_HigherZOrderIsOnTopWhateverTheListOrder()
    {
        using var compositor = new Compositor(1280, 720);
        var output = VideoFrame.Create(1280, 720);
        // The overlay comes first in the list: only its z-order can put it on top.
        LayoutRegion[] regions = [new(0.7, 0.7, 0.25, 0.25, ZOrder: 1), new(0, 0, 1, 1, ZOrder: 0)];
        CompositorSource[] sources = [Source("Small", Solid(640, 360, Blue)), Source("Full", Solid(1280, 720, Red))];

        compositor.Compose(regions, sources, output);

        AssertColour(output, (int)(1280 * 0.825), (int)(720 * 0.825), Blue);
        AssertColour(output, 640, 360, Red);
        AssertColour(output, 1270, 710, Red); // right of and below the small tile
    }

    [Fact]
    public void MissingFrame_ShowsPlaceholderWithText()
    {
        using var compositor = new Compositor(640, 360);
        var output = VideoFrame.Create(640, 360);
        CompositorSource[] sources =
        [
            Source("Alice", Solid(640, 360, Red)),
            Source("Bob Marley", null),
            Source("Carol", Solid(640, 360, Blue)),
            Source("Dave", Solid(640, 360, Yellow)),
        ];

        compositor.Compose(Layouts.Grid(2), sources, output);

        // The placeholder's own background, just inside the border at its top-left corner.
        var placeholderBackground = Rgb(output, 320 + 10, 10);
        Assert.False(Near(placeholderBackground, Style.BackgroundArgb, 20), "placeholder is not the canvas background");
        Assert.False(Near(placeholderBackground, Red, 60));
        Assert.False(Near(placeholderBackground, Blue, 60));
        Assert.False(Near(placeholderBackground, Yellow, 60));

        // Initials are drawn in white around the tile centre: some luma there differs strongly from the background.
        byte backgroundLuma = output.Y[10 * 640 + 330];
        int strong = 0;
        for (int y = 50; y < 130; y++)
        {
            for (int x = 420; x < 540; x++)
            {
                strong += Math.Abs(output.Y[y * 640 + x] - backgroundLuma) > 80 ? 1 : 0;
            }
        }

        Assert.True(strong > 100, $"only {strong} text pixels in the placeholder");
        AssertColour(output, 160, 90, Red);
    }

    [Fact]
    public void ContainLetterboxesA4By3SourceInA16By9Tile_CoverFillsIt()
    {
        var output = VideoFrame.Create(1280, 720);
        var source = Source("", Solid(640, 480, Red));
        using var compositor = new Compositor(1280, 720, Style with { BorderPixels = 0 });

        compositor.Compose([new LayoutRegion(0, 0, 1, 1, Fit: FitMode.Contain)], [source], output);
        // 4:3 at 720 high is 960 wide: bars of 160 on each side.
        AssertColour(output, 80, 360, Style.BackgroundArgb);
        AssertColour(output, 1200, 360, Style.BackgroundArgb);
        AssertColour(output, 170, 360, Red);
        AssertColour(output, 1110, 360, Red);
        AssertColour(output, 640, 2, Red);
        AssertColour(output, 640, 717, Red);

        compositor.Compose([new LayoutRegion(0, 0, 1, 1, Fit: FitMode.Cover)], [source], output);
        AssertColour(output, 2, 360, Red);
        AssertColour(output, 1277, 360, Red);
    }

    [Fact]
    public void Contain_KeepsAspectRatioOfACentredSquare()
    {
        // A 4:3 source with a white square in the middle, 120x120 of 640x480. Contained in 1280x720 (scale 1.5),
        // it must stay square: 180x180 pixels.
        var frame = Solid(640, 480, Blue);
        for (int y = 180; y < 300; y++)
        {
            for (int x = 260; x < 380; x++)
            {
                frame.Y[y * 640 + x] = 235;
            }
        }

        var output = VideoFrame.Create(1280, 720);
        using var compositor = new Compositor(1280, 720, Style with { BorderPixels = 0 });
        compositor.Compose([new LayoutRegion(0, 0, 1, 1, Fit: FitMode.Contain)], [Source("", frame)], output);

        int width = 0, height = 0;
        for (int x = 0; x < 1280; x++)
        {
            width += output.Y[360 * 1280 + x] > 180 ? 1 : 0;
        }

        for (int y = 0; y < 720; y++)
        {
            height += output.Y[y * 1280 + 640] > 180 ? 1 : 0;
        }

        Assert.InRange(width, 178, 182);
        Assert.InRange(height, 178, 182);
    }

    [Theory]
    [InlineData(320, 180)]
    [InlineData(1280, 720)]
    [InlineData(176, 144)]
    [InlineData(1920, 1080)]
    [InlineData(99, 75)]
    public void SourcesOfOtherResolutionsFillTheirTiles(int width, int height)
    {
        using var compositor = new Compositor(640, 360);
        var output = VideoFrame.Create(640, 360);
        var sources = new[] { Red, Green, Blue, Yellow }.Select((c, i) => Source($"P{i}", Solid(width, height, c))).ToArray();

        compositor.Compose(Layouts.Grid(2), sources, output);

        AssertColour(output, 160, 90, Red);
        AssertColour(output, 480, 90, Green);
        AssertColour(output, 160, 270, Blue);
        AssertColour(output, 480, 270, Yellow);
    }

    [Theory]
    [InlineData(641, 361)]
    [InlineData(322, 179)]
    public void OddCanvasSizes_FillEveryTileToTheEdge(int width, int height)
    {
        using var compositor = new Compositor(width, height, Style with { BorderPixels = 0 });
        var output = VideoFrame.Create(width, height);
        var sources = new[] { Red, Green, Blue, Yellow }.Select(c => Source("", Solid(640, 360, c))).ToArray();
        sources[3].Frame = null;

        compositor.Compose(Layouts.Grid(2), sources, output);

        AssertColour(output, 0, 0, Red);
        AssertColour(output, width - 1, 0, Green);
        AssertColour(output, 0, height - 1, Blue);
        Assert.False(Near(Rgb(output, width - 1, height - 1), Style.BackgroundArgb, 10), "placeholder reaches the corner");
    }

    [Fact]
    public void Downscaling_KeepsALumaRampInPlace()
    {
        var frame = Solid(640, 360, Blue);
        for (int y = 0; y < 360; y++)
        {
            for (int x = 0; x < 640; x++)
            {
                frame.Y[y * 640 + x] = (byte)(16 + x * 200 / 639);
            }
        }

        var output = VideoFrame.Create(640, 360);
        using var compositor = new Compositor(640, 360, Style with { BorderPixels = 0 });
        compositor.Compose(Layouts.Grid(2), [Source("", frame), Source("", frame), Source("", frame), Source("", frame)], output);

        // Tile x samples the source at 2x + 0.5.
        foreach (int x in new[] { 10, 100, 200, 310 })
        {
            double expected = 16 + (2 * x + 0.5) * 200 / 639;
            Assert.InRange(output.Y[90 * 640 + x], expected - 1.5, expected + 1.5);
        }
    }

    [Fact]
    public void StrongDownscaling_AveragesFineStripesInsteadOfAliasing()
    {
        // One-pixel black and white stripes, shrunk 4x: every output pixel must be the average grey.
        var frame = Solid(640, 360, Blue);
        for (int y = 0; y < 360; y++)
        {
            for (int x = 0; x < 640; x++)
            {
                frame.Y[y * 640 + x] = (byte)((x & 1) == 0 ? 16 : 235);
            }
        }

        var output = VideoFrame.Create(640, 360);
        using var compositor = new Compositor(640, 360, Style with { BorderPixels = 0 });
        var regions = Layouts.Grid(4);
        compositor.Compose(regions, regions.Select(_ => Source("", frame)).ToArray(), output);

        for (int x = 0; x < 160; x++)
        {
            Assert.InRange(output.Y[45 * 640 + x], 120, 131);
        }
    }

    [Fact]
    public void ActiveSpeaker_GetsAHighlightFrame()
    {
        using var compositor = new Compositor(640, 360);
        var output = VideoFrame.Create(640, 360);
        var sources = new[] { Red, Blue, Blue, Blue }.Select((c, i) => Source($"P{i}", Solid(640, 360, c))).ToArray();
        sources[1].IsActiveSpeaker = true;

        compositor.Compose(Layouts.Grid(2), sources, output);

        // Just inside the 2-pixel border, at the middle of the left edge of each tile.
        AssertColour(output, 320 + 4, 90, Style.SpeakerHighlightArgb, tolerance: 40);
        AssertColour(output, 4, 90, Red);
    }

    [Fact]
    public void NameLabel_IsDrawnAtTheBottomLeftOnly()
    {
        using var compositor = new Compositor(1280, 720);
        var output = VideoFrame.Create(1280, 720);
        compositor.Compose([new LayoutRegion(0, 0, 1, 1)], [Source("Alice Example", Solid(1280, 720, Green))], output);

        byte green = Bt601.FromArgb(Green).Y;
        int dark = 0, bright = 0;
        for (int y = 640; y < 716; y++)
        {
            for (int x = 4; x < 400; x++)
            {
                int luma = output.Y[y * 1280 + x];
                dark += luma < green - 40 ? 1 : 0;
                bright += luma > 200 ? 1 : 0;
            }
        }

        Assert.True(dark > 1000, $"label box: {dark} darkened pixels");
        Assert.True(bright > 100, $"label text: {bright} white pixels");
        AssertColour(output, 1000, 680, Green); // bottom right: untouched
        AssertColour(output, 100, 100, Green);
    }

    [Fact]
    public void SteadyStateComposeAllocatesNothing()
    {
        using var compositor = new Compositor(1280, 720);
        var output = VideoFrame.Create(1280, 720);
        var sources = Enumerable.Range(0, 9).Select(i => Source($"P{i}", i == 4 ? null : Solid(640, 360, Green))).ToArray();
        sources[2].IsActiveSpeaker = true;
        var regions = Layouts.Grid(3);
        for (int i = 0; i < 3; i++)
        {
            compositor.Compose(regions, sources, output);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            compositor.Compose(regions, sources, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static CompositorSource Source(string name, VideoFrame? frame) => new() { DisplayName = name, Frame = frame };

    private static VideoFrame Solid(int width, int height, uint argb)
    {
        var frame = VideoFrame.Create(width, height);
        var (y, u, v) = Bt601.FromArgb(argb);
        frame.Fill(y, u, v);
        return frame;
    }

    private static (byte R, byte G, byte B) Rgb(VideoFrame frame, int x, int y) =>
        Bt601.ToRgb(frame.Y[y * frame.Width + x], frame.U[y / 2 * frame.ChromaWidth + x / 2], frame.V[y / 2 * frame.ChromaWidth + x / 2]);

    private static bool Near((byte R, byte G, byte B) rgb, uint argb, int tolerance) =>
        Math.Abs(rgb.R - (int)((argb >> 16) & 0xFF)) <= tolerance
        && Math.Abs(rgb.G - (int)((argb >> 8) & 0xFF)) <= tolerance
        && Math.Abs(rgb.B - (int)(argb & 0xFF)) <= tolerance;

    private static void AssertColour(VideoFrame frame, int x, int y, uint argb, int tolerance = 12)
    {
        var rgb = Rgb(frame, x, y);
        Assert.True(Near(rgb, argb, tolerance), $"pixel ({x},{y}) is {rgb}, expected {argb & 0xFFFFFF:X6}");
    }
}

internal static class Layouts
{
    public static LayoutRegion[] Grid(int side)
    {
        var regions = new LayoutRegion[side * side];
        for (int i = 0; i < regions.Length; i++)
        {
            regions[i] = new LayoutRegion((double)(i % side) / side, (double)(i / side) / side, 1.0 / side, 1.0 / side);
        }

        return regions;
    }
}
