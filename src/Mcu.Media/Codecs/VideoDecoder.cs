using Mcu.Media.Frames;
using Mcu.Media.Interop;

namespace Mcu.Media.Codecs;

/// <summary>
/// Decodes one participant's VP8 or H.264 stream into pooled I420 frames
/// (FFmpeg's decoders, single-threaded, no output delay). Damaged input is
/// reported, not concealed, so that the caller can ask the sender for a keyframe.
/// One thread at a time.
/// </summary>
public sealed class VideoDecoder : IVideoFrameDecoder
{
    private readonly VideoDecoderHandle _handle;
    // Senders change resolution rarely: one pool for the current size, replaced on change.
    private VideoFramePool? _pool;

    public VideoDecoder(VideoCodec codec)
        : this(codec, 0, 0)
    {
    }

    /// <summary>
    /// A decoder that refuses pictures over <paramref name="maxWidth"/> x <paramref name="maxHeight"/>
    /// (0: no limit) before it allocates them: FFmpeg checks the size a stream declares against the
    /// limit's pixel count, and a picture that is wider or taller than the limit is an error.
    /// </summary>
    public VideoDecoder(VideoCodec codec, int maxWidth, int maxHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxWidth);
        ArgumentOutOfRangeException.ThrowIfNegative(maxHeight);
        Codec = codec;
        MaxWidth = maxWidth;
        MaxHeight = maxHeight;
        int result = MediaNative.VideoDecoderCreateLimited((int)codec, maxWidth, maxHeight, out _handle);
        MediaCodecException.ThrowIfFailed(result, $"Creating the {codec} decoder");
    }

    public VideoCodec Codec { get; }

    /// <summary>The largest picture decoded (0: no limit).</summary>
    public int MaxWidth { get; }

    public int MaxHeight { get; }

    /// <summary>
    /// Decodes one complete frame (a VP8 frame, or an H.264 access unit in Annex-B).
    /// Returns a frame with reference count 1 that the caller releases, or null when
    /// the decoder needs more input (<paramref name="error"/> null) or the input was
    /// corrupt (<paramref name="error"/> says why). After an error the decoder
    /// resumes at the next keyframe.
    /// </summary>
    public VideoFrame? Decode(ReadOnlySpan<byte> encodedFrame, long timestampMicros, out string? error)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        error = null;
        if (encodedFrame.IsEmpty)
        {
            error = "empty frame";
            return null;
        }
        int result = MediaNative.VideoDecoderDecode(_handle, encodedFrame, encodedFrame.Length, timestampMicros,
            out int width, out int height, out long framePts);
        if (result < 0)
        {
            error = MediaNative.ErrorText(result);
            return null;
        }
        if (result == 0)
        {
            return null;
        }
        if (MaxWidth > 0 && (width > MaxWidth || height > MaxHeight))
        {
            error = $"picture {width}x{height} exceeds the limit {MaxWidth}x{MaxHeight}";
            return null;
        }
        if (width < 2 || height < 2)
        {
            error = $"unsupported picture size {width}x{height}";
            return null;
        }
        if (_pool is null || _pool.Width != width || _pool.Height != height)
        {
            _pool = new VideoFramePool(width, height);
        }
        var frame = _pool.Rent();
        result = MediaNative.VideoDecoderCopyFrame(_handle, frame.Y, width, frame.U, frame.ChromaWidth,
            frame.V, frame.ChromaWidth);
        if (result < 0)
        {
            frame.Release();
            error = MediaNative.ErrorText(result);
            return null;
        }
        frame.TimestampMicros = framePts;
        return frame;
    }

    public void Dispose() => _handle.Dispose();
}
