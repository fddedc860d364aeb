using System.Runtime.InteropServices;

namespace Mcu.Media.Interop;

/// <summary>Owns one <c>mcu_scaler</c>.</summary>
internal sealed class ScalerHandle : SafeHandle
{
    public ScalerHandle() : base(0, ownsHandle: true) { }
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle()
    {
        MediaNative.ScalerDestroy(handle);
        return true;
    }
}

internal static partial class MediaNative
{
    [LibraryImport(Library, EntryPoint = "mcu_scaler_create")]
    public static partial int ScalerCreate(int srcWidth, int srcHeight, int dstWidth, int dstHeight,
        out ScalerHandle scaler);

    [LibraryImport(Library, EntryPoint = "mcu_scaler_destroy")]
    public static partial void ScalerDestroy(nint scaler);

    [LibraryImport(Library, EntryPoint = "mcu_scaler_scale")]
    public static partial int ScalerScale(ScalerHandle scaler,
        ReadOnlySpan<byte> srcY, int srcYStride, ReadOnlySpan<byte> srcU, int srcUStride,
        ReadOnlySpan<byte> srcV, int srcVStride,
        Span<byte> dstY, int dstYStride, Span<byte> dstU, int dstUStride, Span<byte> dstV, int dstVStride);
}
