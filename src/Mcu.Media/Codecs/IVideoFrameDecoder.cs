using Mcu.Media.Frames;

namespace Mcu.Media.Codecs;

/// <summary>What a receiver needs of a video decoder (tests put a failing one in its place).</summary>
public interface IVideoFrameDecoder : IDisposable
{
    /// <summary>See <see cref="VideoDecoder.Decode"/>.</summary>
    VideoFrame? Decode(ReadOnlySpan<byte> encodedFrame, long timestampMicros, out string? error);
}
