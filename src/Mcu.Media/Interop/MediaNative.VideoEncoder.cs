using System.Runtime.InteropServices;

namespace Mcu.Media.Interop;

/// <summary>Owns one <c>mcu_video_encoder</c>.</summary>
internal sealed class VideoEncoderHandle : SafeHandle
{
    public VideoEncoderHandle() : base(0, ownsHandle: true) { }
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle()
    {
        MediaNative.VideoEncoderDestroy(handle);
        return true;
    }
}

internal static partial class MediaNative
{
    [LibraryImport(Library, EntryPoint = "mcu_video_encoder_create")]
    public static partial int VideoEncoderCreate(int codec, int width, int height, int framesPerSecond,
        int bitrateKbps, out VideoEncoderHandle encoder);

    [LibraryImport(Library, EntryPoint = "mcu_video_encoder_destroy")]
    public static partial void VideoEncoderDestroy(nint encoder);

    [LibraryImport(Library, EntryPoint = "mcu_video_encoder_send_frame")]
    public static partial int VideoEncoderSendFrame(VideoEncoderHandle encoder,
        ReadOnlySpan<byte> y, int yStride, ReadOnlySpan<byte> u, int uStride, ReadOnlySpan<byte> v, int vStride,
        long ptsMicros, int forceKeyframe);

    /// <summary>On 1, <paramref name="data"/> points into the shim until the next call on this encoder.</summary>
    [LibraryImport(Library, EntryPoint = "mcu_video_encoder_receive_packet")]
    public static partial int VideoEncoderReceivePacket(VideoEncoderHandle encoder, out nint data, out int size,
        out long ptsMicros, out int keyframe);

    [LibraryImport(Library, EntryPoint = "mcu_video_encoder_set_bitrate")]
    public static partial int VideoEncoderSetBitrate(VideoEncoderHandle encoder, int bitrateKbps);
}
