namespace Mcu.Media.Compositing;

/// <summary>
/// A rectangle of the canvas in luma pixels. Edges are snapped to even coordinates so that every tile
/// owns whole 2x2 chroma blocks and neighbouring tiles never share a chroma sample.
/// </summary>
internal readonly record struct TileRect(int X, int Y, int Width, int Height)
{
    public int ChromaWidth => (X + Width + 1) / 2 - X / 2;
    public int ChromaHeight => (Y + Height + 1) / 2 - Y / 2;

    public static TileRect Of(LayoutRegion region, int canvasWidth, int canvasHeight)
    {
        int x0 = Snap(region.X * canvasWidth, canvasWidth);
        int y0 = Snap(region.Y * canvasHeight, canvasHeight);
        int x1 = Snap((region.X + region.Width) * canvasWidth, canvasWidth);
        int y1 = Snap((region.Y + region.Height) * canvasHeight, canvasHeight);
        return new TileRect(x0, y0, Math.Max(0, x1 - x0), Math.Max(0, y1 - y0));
    }

    private static int Snap(double position, int limit)
    {
        if (double.IsNaN(position))
        {
            return 0;
        }

        int even = (int)Math.Round(Math.Clamp(position, 0, limit) / 2, MidpointRounding.AwayFromZero) * 2;
        return Math.Min(even, limit);
    }
}

/// <summary>Where a source lands in its tile and which part of it is used, for each plane resolution.</summary>
internal readonly record struct FittedScale(TileRect Content, PlaneScale Luma, PlaneScale Chroma)
{
    public static FittedScale Of(int sourceWidth, int sourceHeight, TileRect tile, FitMode fit)
    {
        int cropX = 0, cropY = 0, cropWidth = sourceWidth, cropHeight = sourceHeight;
        var content = tile;
        // Compare aspect ratios exactly in integers: source w/h against tile w/h.
        long sourceWide = (long)sourceWidth * tile.Height, tileWide = (long)tile.Width * sourceHeight;
        if (fit == FitMode.Cover)
        {
            if (sourceWide > tileWide)
            {
                cropWidth = Even((double)sourceHeight * tile.Width / tile.Height, sourceWidth);
                cropX = (sourceWidth - cropWidth) / 2 & ~1;
            }
            else if (sourceWide < tileWide)
            {
                cropHeight = Even((double)sourceWidth * tile.Height / tile.Width, sourceHeight);
                cropY = (sourceHeight - cropHeight) / 2 & ~1;
            }
        }
        else if (sourceWide > tileWide)
        {
            int height = Even((double)tile.Width * sourceHeight / sourceWidth, tile.Height);
            content = new TileRect(tile.X, tile.Y + ((tile.Height - height) / 2 & ~1), tile.Width, height);
        }
        else if (sourceWide < tileWide)
        {
            int width = Even((double)tile.Height * sourceWidth / sourceHeight, tile.Width);
            content = new TileRect(tile.X + ((tile.Width - width) / 2 & ~1), tile.Y, width, tile.Height);
        }

        var luma = new PlaneScale(sourceWidth, sourceHeight, cropX, cropY, cropWidth, cropHeight, content.Width, content.Height);
        var chroma = new PlaneScale(
            (sourceWidth + 1) / 2, (sourceHeight + 1) / 2,
            cropX / 2, cropY / 2, Math.Max(1, (cropWidth + 1) / 2), Math.Max(1, (cropHeight + 1) / 2),
            content.ChromaWidth, content.ChromaHeight);
        return new FittedScale(content, luma, chroma);
    }

    private static int Even(double length, int limit) => Math.Clamp((int)Math.Round(length / 2) * 2, 2, limit);
}
