namespace Mcu.Media.Compositing;

/// <summary>How a source whose aspect ratio differs from its tile is fitted.</summary>
public enum FitMode
{
    /// <summary>Scale to fill the tile and crop the centre; no bars.</summary>
    Cover,

    /// <summary>Scale to fit inside the tile; the rest shows the background.</summary>
    Contain,
}

/// <summary>
/// One tile of a layout, in fractions (0..1) of the canvas. Higher <paramref name="ZOrder"/> is drawn on top.
/// </summary>
public sealed record LayoutRegion(double X, double Y, double Width, double Height, int ZOrder = 0, FitMode Fit = FitMode.Cover);
