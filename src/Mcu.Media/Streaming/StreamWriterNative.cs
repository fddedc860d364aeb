using System.Runtime.InteropServices;

namespace Mcu.Media.Interop;

/// <summary>Owns one <c>mcu_stream_writer</c>; releasing it finishes the stream if that was not done.</summary>
internal sealed class StreamWriterHandle : SafeHandle
{
    public StreamWriterHandle() : base(0, ownsHandle: true) { }
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle()
    {
        MediaNative.StreamWriterDestroy(handle);
        return true;
    }
}

internal static partial class MediaNative
{
    /// <param name="format">"flv", "mpegts" or "hls", UTF-8, NUL-terminated.</param>
    /// <param name="url">UTF-8, NUL-terminated.</param>
    /// <param name="options">"key=value:key=value", UTF-8, NUL-terminated.</param>
    [LibraryImport(Library, EntryPoint = "mcu_stream_writer_create")]
    public static partial int StreamWriterCreate(ReadOnlySpan<byte> format, ReadOnlySpan<byte> url, ReadOnlySpan<byte> options,
        int width, int height, int audioBitrateBps, int ioTimeoutMs, out StreamWriterHandle writer);

    [LibraryImport(Library, EntryPoint = "mcu_stream_writer_destroy")]
    public static partial void StreamWriterDestroy(nint writer);

    [LibraryImport(Library, EntryPoint = "mcu_stream_writer_open")]
    public static partial int StreamWriterOpen(StreamWriterHandle writer);

    [LibraryImport(Library, EntryPoint = "mcu_stream_writer_write_video")]
    public static partial int StreamWriterWriteVideo(StreamWriterHandle writer, ReadOnlySpan<byte> annexB, int size,
        long ptsMicros, int keyframe);

    [LibraryImport(Library, EntryPoint = "mcu_stream_writer_write_audio")]
    public static partial int StreamWriterWriteAudio(StreamWriterHandle writer, ReadOnlySpan<short> pcm, int samples,
        long ptsMicros);

    [LibraryImport(Library, EntryPoint = "mcu_stream_writer_bytes")]
    public static partial long StreamWriterBytes(StreamWriterHandle writer);

    [LibraryImport(Library, EntryPoint = "mcu_stream_writer_abort")]
    public static partial void StreamWriterAbort(StreamWriterHandle writer);

    [LibraryImport(Library, EntryPoint = "mcu_stream_writer_finish")]
    public static partial int StreamWriterFinish(StreamWriterHandle writer);
}
