namespace Mcu.Media.Compositing;

/// <summary>An opaque I420 picture the size of one tile (a placeholder), converted once and copied per frame.</summary>
internal sealed class TileImage
{
    public TileImage(int width, int height)
    {
        Width = width;
        Height = height;
        ChromaWidth = (width + 1) / 2;
        ChromaHeight = (height + 1) / 2;
        Y = new byte[width * height];
        U = new byte[ChromaWidth * ChromaHeight];
        V = new byte[ChromaWidth * ChromaHeight];
    }

    public int Width { get; }
    public int Height { get; }
    public int ChromaWidth { get; }
    public int ChromaHeight { get; }
    public byte[] Y { get; }
    public byte[] U { get; }
    public byte[] V { get; }

    /// <summary>Frame number of the last compose that used it, for evicting stale cache entries.</summary>
    public long LastUsed { get; set; }

    public static TileImage FromRgba(ReadOnlySpan<byte> rgba, int width, int height)
    {
        var image = new TileImage(width, height);
        Bt601.RgbaToI420(rgba, width, height, image.Y, image.U, image.V);
        return image;
    }

    /// <summary>Copies the picture with its top-left corner at luma (x, y); x and y are even.</summary>
    public void CopyTo(in CanvasPlanes canvas, int x, int y)
    {
        CopyPlane(Y, Width, Height, canvas.Y, canvas.Width, x, y);
        CopyPlane(U, ChromaWidth, ChromaHeight, canvas.U, canvas.ChromaWidth, x / 2, y / 2);
        CopyPlane(V, ChromaWidth, ChromaHeight, canvas.V, canvas.ChromaWidth, x / 2, y / 2);
    }

    private static void CopyPlane(byte[] source, int width, int height, Span<byte> target, int stride, int x, int y)
    {
        for (int row = 0; row < height; row++)
        {
            source.AsSpan(row * width, width).CopyTo(target.Slice((y + row) * stride + x, width));
        }
    }
}

/// <summary>The three planes of the output picture with their strides.</summary>
internal readonly ref struct CanvasPlanes(Span<byte> y, Span<byte> u, Span<byte> v, int width, int height)
{
    public readonly Span<byte> Y = y;
    public readonly Span<byte> U = u;
    public readonly Span<byte> V = v;
    public readonly int Width = width;
    public readonly int Height = height;
    public int ChromaWidth => (Width + 1) / 2;
    public int ChromaHeight => (Height + 1) / 2;
}
