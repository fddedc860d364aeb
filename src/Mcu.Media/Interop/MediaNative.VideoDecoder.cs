using System.Runtime.InteropServices;

namespace Mcu.Media.Interop;

/// <summary>Owns one <c>mcu_video_decoder</c>.</summary>
internal sealed class VideoDecoderHandle : SafeHandle
{
    public VideoDecoderHandle() : base(0, ownsHandle: true) { }
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle()
    {
        MediaNative.VideoDecoderDestroy(handle);
        return true;
    }
}

internal static partial class MediaNative
{
    [LibraryImport(Library, EntryPoint = "mcu_video_decoder_create")]
    public static partial int VideoDecoderCreate(int codec, out VideoDecoderHandle decoder);

    [LibraryImport(Library, EntryPoint = "mcu_video_decoder_create_limited")]
    public static partial int VideoDecoderCreateLimited(int codec, int maxWidth, int maxHeight, out VideoDecoderHandle decoder);

    [LibraryImport(Library, EntryPoint = "mcu_video_decoder_destroy")]
    public static partial void VideoDecoderDestroy(nint decoder);

    [LibraryImport(Library, EntryPoint = "mcu_video_decoder_decode")]
    public static partial int VideoDecoderDecode(VideoDecoderHandle decoder, ReadOnlySpan<byte> data, int size,
        long ptsMicros, out int width, out int height, out long framePtsMicros);

    [LibraryImport(Library, EntryPoint = "mcu_video_decoder_copy_frame")]
    public static partial int VideoDecoderCopyFrame(VideoDecoderHandle decoder,
        Span<byte> y, int yStride, Span<byte> u, int uStride, Span<byte> v, int vStride);
}
