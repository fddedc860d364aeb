using System.Collections.Concurrent;

namespace Mcu.Media.Frames;

/// <summary>
/// Recycles <see cref="VideoFrame"/>s of one size so that decoding and compositing
/// allocate nothing per frame in steady state.
/// </summary>
public sealed class VideoFramePool
{
    private readonly ConcurrentBag<VideoFrame> _free = new();

    public VideoFramePool(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 2);
        Width = width;
        Height = height;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>A frame with reference count 1; its pixels are whatever the last user left.</summary>
    public VideoFrame Rent()
    {
        if (!_free.TryTake(out var frame))
        {
            frame = new VideoFrame(this, Width, Height);
        }
        frame.Revive();
        return frame;
    }

    internal void Return(VideoFrame frame) => _free.Add(frame);
}
