using Mcu.Media.Frames;

namespace Mcu.Media.Compositing;

/// <summary>
/// Paints one output canvas from many sources. Each source is scaled once, straight from its I420 planes
/// into its tile of the output planes, so the cost per frame is about one read of each tile's pixels;
/// no colour conversion happens on decoded video. Placeholders and overlays are drawn with Skia once per
/// (name, tile geometry) and cached in I420; in steady state <see cref="Compose"/> allocates nothing.
/// Not thread-safe: one compositor per output canvas, driven by one loop.
/// </summary>
public sealed class Compositor : IDisposable
{
    // Cache entries not used for this many frames (about 10 s at 30 fps) are dropped.
    private const int EvictAfterFrames = 300;

    private readonly CompositorStyle _style;
    private readonly (byte Y, byte U, byte V) _background;
    private readonly (byte Y, byte U, byte V) _border;
    private readonly Dictionary<PlaneScale, CachedScaleMap> _scaleMaps = new();
    private readonly Dictionary<(string Name, int Width, int Height), TileImage> _placeholders = new();
    private readonly Dictionary<(string Name, int Width, int Height, bool Speaker), TileOverlay> _overlays = new();
    private int[] _drawOrder = new int[32];
    private byte[] _line = new byte[4096];
    private long _frameNumber;
    private bool _disposed;

    public Compositor(int width, int height, CompositorStyle? style = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 2);
        Width = width;
        Height = height;
        _style = style ?? new CompositorStyle();
        ArgumentOutOfRangeException.ThrowIfNegative(_style.BorderPixels);
        _background = Bt601.FromArgb(_style.BackgroundArgb);
        _border = Bt601.FromArgb(_style.BorderArgb);
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>
    /// Draws <paramref name="sources"/>[i] into <paramref name="regions"/>[i], lower <see cref="LayoutRegion.ZOrder"/>
    /// first (equal z: list order), over the background, and writes the I420 picture into <paramref name="output"/>.
    /// </summary>
    public void Compose(IReadOnlyList<LayoutRegion> regions, IReadOnlyList<CompositorSource> sources, VideoFrame output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(output);
        if (output.Width != Width || output.Height != Height)
        {
            throw new ArgumentException($"Output is {output.Width}x{output.Height}, the compositor draws {Width}x{Height}.", nameof(output));
        }

        if (regions.Count != sources.Count)
        {
            throw new ArgumentException("One source per region.", nameof(sources));
        }

        _frameNumber++;
        var canvas = new CanvasPlanes(output.Y, output.U, output.V, Width, Height);
        canvas.Y.Fill(_background.Y);
        canvas.U.Fill(_background.U);
        canvas.V.Fill(_background.V);

        int count = SortByZOrder(regions);
        for (int i = 0; i < count; i++)
        {
            int index = _drawOrder[i];
            var tile = TileRect.Of(regions[index], Width, Height);
            if (tile.Width >= 2 && tile.Height >= 2)
            {
                DrawTile(canvas, tile, regions[index].Fit, sources[index]);
            }
        }

        if (_frameNumber % EvictAfterFrames == 0)
        {
            EvictStale();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _scaleMaps.Clear();
        _placeholders.Clear();
        _overlays.Clear();
    }

    private void DrawTile(in CanvasPlanes canvas, TileRect tile, FitMode fit, CompositorSource source)
    {
        string name = source.DisplayName ?? "";
        if (source.Frame is { } frame && frame.ChromaWidth >= PlaneScaler.MinSourceSize && frame.ChromaHeight >= PlaneScaler.MinSourceSize)
        {
            DrawFrame(canvas, tile, fit, frame);
        }
        else
        {
            var key = (name, tile.Width, tile.Height);
            if (!_placeholders.TryGetValue(key, out var placeholder))
            {
                placeholder = TileArtist.RenderPlaceholder(name, tile.Width, tile.Height);
                _placeholders.Add(key, placeholder);
            }

            placeholder.LastUsed = _frameNumber;
            placeholder.CopyTo(canvas, tile.X, tile.Y);
        }

        DrawBorder(canvas, tile);

        if (name.Length > 0 || source.IsActiveSpeaker)
        {
            var key = (name, tile.Width, tile.Height, source.IsActiveSpeaker);
            if (!_overlays.TryGetValue(key, out var overlay))
            {
                overlay = TileArtist.RenderOverlay(name, tile.Width, tile.Height, source.IsActiveSpeaker, _style);
                _overlays.Add(key, overlay);
            }

            overlay.LastUsed = _frameNumber;
            overlay.BlendOnto(canvas, tile.X, tile.Y);
        }
    }

    private void DrawFrame(in CanvasPlanes canvas, TileRect tile, FitMode fit, VideoFrame frame)
    {
        var fitted = FittedScale.Of(frame.Width, frame.Height, tile, fit);
        if (fitted.Content != tile)
        {
            // Letterbox bars: a tile may lie over another (picture in picture), so paint them explicitly.
            PlaneScaler.Fill(canvas.Y, canvas.Width, tile.X, tile.Y, tile.Width, tile.Height, _background.Y);
            PlaneScaler.Fill(canvas.U, canvas.ChromaWidth, tile.X / 2, tile.Y / 2, tile.ChromaWidth, tile.ChromaHeight, _background.U);
            PlaneScaler.Fill(canvas.V, canvas.ChromaWidth, tile.X / 2, tile.Y / 2, tile.ChromaWidth, tile.ChromaHeight, _background.V);
        }

        var content = fitted.Content;
        var luma = MapFor(fitted.Luma);
        var chroma = MapFor(fitted.Chroma);
        if (_line.Length < luma.ColumnSpan)
        {
            _line = new byte[luma.ColumnSpan];
        }

        PlaneScaler.Scale(frame.Y, frame.Width, luma, canvas.Y, canvas.Width, content.X, content.Y, _line);
        PlaneScaler.Scale(frame.U, frame.ChromaWidth, chroma, canvas.U, canvas.ChromaWidth, content.X / 2, content.Y / 2, _line);
        PlaneScaler.Scale(frame.V, frame.ChromaWidth, chroma, canvas.V, canvas.ChromaWidth, content.X / 2, content.Y / 2, _line);
    }

    private void DrawBorder(in CanvasPlanes canvas, TileRect tile)
    {
        int b = Math.Min(_style.BorderPixels, Math.Min(tile.Width, tile.Height) / 2);
        if (b == 0)
        {
            return;
        }

        FillFrame(canvas.Y, canvas.Width, tile.X, tile.Y, tile.Width, tile.Height, b, _border.Y);
        int cb = Math.Min((b + 1) / 2, Math.Min(tile.ChromaWidth, tile.ChromaHeight) / 2);
        FillFrame(canvas.U, canvas.ChromaWidth, tile.X / 2, tile.Y / 2, tile.ChromaWidth, tile.ChromaHeight, cb, _border.U);
        FillFrame(canvas.V, canvas.ChromaWidth, tile.X / 2, tile.Y / 2, tile.ChromaWidth, tile.ChromaHeight, cb, _border.V);
    }

    private static void FillFrame(Span<byte> plane, int stride, int x, int y, int width, int height, int thickness, byte value)
    {
        PlaneScaler.Fill(plane, stride, x, y, width, thickness, value);
        PlaneScaler.Fill(plane, stride, x, y + height - thickness, width, thickness, value);
        PlaneScaler.Fill(plane, stride, x, y + thickness, thickness, height - 2 * thickness, value);
        PlaneScaler.Fill(plane, stride, x + width - thickness, y + thickness, thickness, height - 2 * thickness, value);
    }

    private ScaleMap MapFor(PlaneScale scale)
    {
        if (!_scaleMaps.TryGetValue(scale, out var cached))
        {
            cached = new CachedScaleMap(new ScaleMap(scale));
            _scaleMaps.Add(scale, cached);
        }

        cached.LastUsed = _frameNumber;
        return cached.Map;
    }

    /// <summary>Stable insertion sort of region indices by z-order into a reused buffer.</summary>
    private int SortByZOrder(IReadOnlyList<LayoutRegion> regions)
    {
        int count = regions.Count;
        if (_drawOrder.Length < count)
        {
            _drawOrder = new int[Math.Max(count, _drawOrder.Length * 2)];
        }

        for (int i = 0; i < count; i++)
        {
            int z = regions[i].ZOrder;
            int j = i;
            for (; j > 0 && regions[_drawOrder[j - 1]].ZOrder > z; j--)
            {
                _drawOrder[j] = _drawOrder[j - 1];
            }

            _drawOrder[j] = i;
        }

        return count;
    }

    private void EvictStale()
    {
        long oldest = _frameNumber - EvictAfterFrames;
        foreach (var (key, value) in _scaleMaps)
        {
            if (value.LastUsed < oldest)
            {
                _scaleMaps.Remove(key);
            }
        }

        foreach (var (key, value) in _placeholders)
        {
            if (value.LastUsed < oldest)
            {
                _placeholders.Remove(key);
            }
        }

        foreach (var (key, value) in _overlays)
        {
            if (value.LastUsed < oldest)
            {
                _overlays.Remove(key);
            }
        }
    }

    private sealed class CachedScaleMap(ScaleMap map)
    {
        public ScaleMap Map { get; } = map;
        public long LastUsed { get; set; }
    }
}
