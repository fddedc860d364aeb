using System.Runtime.InteropServices;

namespace Mcu.Media.Interop;

/// <summary>Owns one <c>mcu_mp4_writer</c>; releasing it finishes the file if that was not done.</summary>
internal sealed class Mp4WriterHandle : SafeHandle
{
    public Mp4WriterHandle() : base(0, ownsHandle: true) { }
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle()
    {
        MediaNative.Mp4WriterDestroy(handle);
        return true;
    }
}

internal static partial class MediaNative
{
    /// <param name="path">UTF-8, NUL-terminated (see <see cref="Utf8Z"/>).</param>
    [LibraryImport(Library, EntryPoint = "mcu_mp4_writer_create")]
    public static partial int Mp4WriterCreate(ReadOnlySpan<byte> path, int width, int height, int audioBitrateBps,
        out Mp4WriterHandle writer);

    [LibraryImport(Library, EntryPoint = "mcu_mp4_writer_destroy")]
    public static partial void Mp4WriterDestroy(nint writer);

    [LibraryImport(Library, EntryPoint = "mcu_mp4_writer_write_video")]
    public static partial int Mp4WriterWriteVideo(Mp4WriterHandle writer, ReadOnlySpan<byte> annexB, int size,
        long ptsMicros, int keyframe);

    [LibraryImport(Library, EntryPoint = "mcu_mp4_writer_write_audio")]
    public static partial int Mp4WriterWriteAudio(Mp4WriterHandle writer, ReadOnlySpan<short> pcm, int samples,
        long ptsMicros);

    [LibraryImport(Library, EntryPoint = "mcu_mp4_writer_finish")]
    public static partial int Mp4WriterFinish(Mp4WriterHandle writer);
}
