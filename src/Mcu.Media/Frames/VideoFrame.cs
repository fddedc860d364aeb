using System.Diagnostics;

namespace Mcu.Media.Frames;

/// <summary>
/// One I420 picture in a pooled buffer: Y plane (Width x Height), then U and V
/// planes ((Width+1)/2 x (Height+1)/2), each packed with stride = plane width.
/// Reference counted: whoever keeps a frame beyond the call that handed it over
/// calls <see cref="AddRef"/>, and every holder calls <see cref="Release"/> once;
/// the last release returns the buffer to its pool.
/// </summary>
public sealed class VideoFrame
{
    private readonly VideoFramePool? _pool;
    private int _refCount;

    internal VideoFrame(VideoFramePool? pool, int width, int height)
    {
        _pool = pool;
        Width = width;
        Height = height;
        Buffer = new byte[SizeOf(width, height)];
    }

    /// <summary>A frame outside any pool (tests, one-off pictures).</summary>
    public static VideoFrame Create(int width, int height)
    {
        var frame = new VideoFrame(null, width, height);
        frame._refCount = 1;
        return frame;
    }

    public int Width { get; }
    public int Height { get; }
    public int ChromaWidth => (Width + 1) / 2;
    public int ChromaHeight => (Height + 1) / 2;

    /// <summary>Presentation time in microseconds, on the clock of whoever made the frame.</summary>
    public long TimestampMicros { get; set; }

    /// <summary>Y, then U, then V, tightly packed.</summary>
    public byte[] Buffer { get; }

    public Span<byte> Y => Buffer.AsSpan(0, Width * Height);
    public Span<byte> U => Buffer.AsSpan(Width * Height, ChromaWidth * ChromaHeight);
    public Span<byte> V => Buffer.AsSpan(Width * Height + ChromaWidth * ChromaHeight, ChromaWidth * ChromaHeight);

    public static int SizeOf(int width, int height) => width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2);

    public void AddRef()
    {
        int count = Interlocked.Increment(ref _refCount);
        Debug.Assert(count > 1, "AddRef on a released frame");
    }

    public void Release()
    {
        int count = Interlocked.Decrement(ref _refCount);
        Debug.Assert(count >= 0, "Release called more often than AddRef");
        if (count == 0)
        {
            _pool?.Return(this);
        }
    }

    internal void Revive() => _refCount = 1;

    /// <summary>Fills the whole picture with one colour given in BT.601 limited-range YUV.</summary>
    public void Fill(byte y, byte u, byte v)
    {
        Y.Fill(y);
        U.Fill(u);
        V.Fill(v);
    }
}
