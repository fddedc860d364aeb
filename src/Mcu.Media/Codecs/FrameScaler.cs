using Mcu.Media.Frames;
using Mcu.Media.Interop;

namespace Mcu.Media.Codecs;

/// <summary>Bilinear I420 resize between two fixed sizes (libswscale). One thread at a time.</summary>
public sealed class FrameScaler : IDisposable
{
    private readonly ScalerHandle _handle;

    public FrameScaler(int sourceWidth, int sourceHeight, int destinationWidth, int destinationHeight)
    {
        SourceWidth = sourceWidth;
        SourceHeight = sourceHeight;
        DestinationWidth = destinationWidth;
        DestinationHeight = destinationHeight;
        int result = MediaNative.ScalerCreate(sourceWidth, sourceHeight, destinationWidth, destinationHeight,
            out _handle);
        MediaCodecException.ThrowIfFailed(result,
            $"Creating a scaler {sourceWidth}x{sourceHeight} -> {destinationWidth}x{destinationHeight}");
    }

    public int SourceWidth { get; }
    public int SourceHeight { get; }
    public int DestinationWidth { get; }
    public int DestinationHeight { get; }

    /// <summary>Writes <paramref name="source"/> resized into <paramref name="destination"/>; copies the timestamp.</summary>
    public void Scale(VideoFrame source, VideoFrame destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (source.Width != SourceWidth || source.Height != SourceHeight
            || destination.Width != DestinationWidth || destination.Height != DestinationHeight)
        {
            throw new ArgumentException("Frame sizes differ from the scaler's");
        }
        int result = MediaNative.ScalerScale(_handle,
            source.Y, source.Width, source.U, source.ChromaWidth, source.V, source.ChromaWidth,
            destination.Y, destination.Width, destination.U, destination.ChromaWidth,
            destination.V, destination.ChromaWidth);
        MediaCodecException.ThrowIfFailed(result, "Scaling");
        destination.TimestampMicros = source.TimestampMicros;
    }

    public void Dispose() => _handle.Dispose();
}
