using System.Runtime.InteropServices;
using System.Text;

namespace Mcu.Media.Interop;

/// <summary>
/// Entry points of the mcu_media shim (native/include/mcu_media.h documents each one).
/// The shim is built by Mcu.Media.csproj and copied next to the assembly as
/// libmcu_media.so, where the default probing for "mcu_media" finds it.
/// Native calls return 0 (or a count) on success and a negative AVERROR otherwise.
/// </summary>
internal static unsafe partial class MediaNative
{
    private const string Library = "mcu_media";

    [LibraryImport(Library, EntryPoint = "mcu_strerror")]
    private static partial void StrError(int error, byte* buffer, int size);

    /// <summary>FFmpeg's text for a negative error code, e.g. "Invalid data found when processing input".</summary>
    public static string ErrorText(int error)
    {
        const int Capacity = 256;
        byte* buffer = stackalloc byte[Capacity];
        StrError(error, buffer, Capacity);
        return Marshal.PtrToStringUTF8((nint)buffer) ?? $"error {error}";
    }

    /// <summary>
    /// A view of memory owned by the shim, valid only until the next call on the
    /// handle that produced it (see the header for each function).
    /// </summary>
    public static ReadOnlySpan<byte> NativeSpan(nint data, int size) => new((void*)data, size);

    /// <summary>Encodes a path for the shim's UTF-8 <c>const char*</c> parameters.</summary>
    public static byte[] Utf8Z(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
