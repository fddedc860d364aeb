using Mcu.Media.Frames;
using Mcu.Media.Interop;

namespace Mcu.Media.Codecs;

/// <summary>
/// Real-time encoder for one outgoing layout stream. VP8: libvpx realtime,
/// cpu-used 8, error resilient, no lag, CBR. H.264: libx264 veryfast +
/// zerolatency, constrained baseline, Annex-B with SPS/PPS before every IDR.
/// Keyframes only every 3000 frames unless forced (receivers ask with PLI/FIR).
/// Single-threaded; one thread at a time.
/// </summary>
public sealed class VideoEncoder : IDisposable
{
    private readonly VideoEncoderHandle _handle;

    public VideoEncoder(VideoCodec codec, int width, int height, int framesPerSecond, int bitrateKbps)
    {
        Codec = codec;
        Width = width;
        Height = height;
        BitrateKbps = bitrateKbps;
        int result = MediaNative.VideoEncoderCreate((int)codec, width, height, framesPerSecond, bitrateKbps,
            out _handle);
        MediaCodecException.ThrowIfFailed(result, $"Creating the {codec} encoder ({width}x{height})");
    }

    public VideoCodec Codec { get; }
    public int Width { get; }
    public int Height { get; }
    public int BitrateKbps { get; private set; }

    /// <summary>
    /// Encodes <paramref name="frame"/> (its <see cref="VideoFrame.TimestampMicros"/> becomes the
    /// packet's) and hands every packet that comes out to <paramref name="onPacket"/> before returning.
    /// The frame is only read; the caller keeps its reference.
    /// </summary>
    public void Encode(VideoFrame frame, bool forceKeyframe, EncodedPacketHandler onPacket)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(onPacket);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (frame.Width != Width || frame.Height != Height)
        {
            throw new ArgumentException(
                $"Frame is {frame.Width}x{frame.Height}, the encoder takes {Width}x{Height}", nameof(frame));
        }
        int result = MediaNative.VideoEncoderSendFrame(_handle, frame.Y, frame.Width, frame.U, frame.ChromaWidth,
            frame.V, frame.ChromaWidth, frame.TimestampMicros, forceKeyframe ? 1 : 0);
        if (result < 0)
        {
            throw new MediaCodecException($"{Codec} encoding", result);
        }
        while (true)
        {
            result = MediaNative.VideoEncoderReceivePacket(_handle, out nint data, out int size, out long pts,
                out int keyframe);
            if (result < 0)
            {
                throw new MediaCodecException($"{Codec} encoding", result);
            }
            if (result == 0)
            {
                return;
            }
            onPacket(MediaNative.NativeSpan(data, size), keyframe != 0, pts);
        }
    }

    /// <summary>
    /// New target bitrate from the next frame on. H.264 retargets in place; VP8 restarts
    /// the encoder (FFmpeg 5.1's libvpx wrapper cannot retarget), so its next frame is a keyframe.
    /// </summary>
    public void SetBitrate(int kbps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kbps, 1);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        MediaCodecException.ThrowIfFailed(MediaNative.VideoEncoderSetBitrate(_handle, kbps), "Setting the bitrate");
        BitrateKbps = kbps;
    }

    public void Dispose() => _handle.Dispose();
}
