using System.Runtime.InteropServices;
using System.Text;

namespace Mcu.Rtc.Interop;

/// <summary>Owns one <c>mcu_dtls_context</c>: OpenSSL's SSL_CTX for one local certificate.</summary>
internal sealed class DtlsContextHandle : SafeHandle
{
    public DtlsContextHandle() : base(0, ownsHandle: true) { }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        TlsNative.DtlsContextDestroy(handle);
        return true;
    }
}

/// <summary>Owns one <c>mcu_dtls</c>: a DTLS connection with its memory BIOs.</summary>
internal sealed class DtlsHandle : SafeHandle
{
    public DtlsHandle() : base(0, ownsHandle: true) { }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        TlsNative.DtlsDestroy(handle);
        return true;
    }
}

/// <summary>
/// Entry points of the mcu_tls shim (native/include/mcu_tls.h documents each one). The shim is
/// built by Mcu.Rtc.csproj and copied next to the assembly as libmcu_tls.so, where the default
/// probing for "mcu_tls" finds it. Calls return 0, a state or a count on success and a negative
/// <c>MCU_TLS_ERROR_*</c> otherwise.
/// </summary>
internal static partial class TlsNative
{
    private const string Library = "mcu_tls";

    /// <summary>enum mcu_dtls_state.</summary>
    internal const int Handshaking = 0, Connected = 1, Closed = 2, Failed = 3;

    /// <summary>enum mcu_dtls_failure.</summary>
    internal const int FailureFingerprint = 1, FailureAlertReceived = 2, FailureAlertSent = 3;

    [LibraryImport(Library, EntryPoint = "mcu_dtls_context_create")]
    internal static partial int DtlsContextCreate(ReadOnlySpan<byte> certificate, int certificateSize,
        ReadOnlySpan<byte> privateKey, int privateKeySize, out DtlsContextHandle context);

    [LibraryImport(Library, EntryPoint = "mcu_dtls_context_destroy")]
    internal static partial void DtlsContextDestroy(nint context);

    [LibraryImport(Library, EntryPoint = "mcu_dtls_create")]
    internal static partial int DtlsCreate(DtlsContextHandle context, int isServer, ReadOnlySpan<byte> srtpProfiles,
        ReadOnlySpan<byte> peerSha256, int peerSha256Size, int mtu, out DtlsHandle dtls);

    [LibraryImport(Library, EntryPoint = "mcu_dtls_destroy")]
    internal static partial void DtlsDestroy(nint dtls);

    [LibraryImport(Library, EntryPoint = "mcu_dtls_handle_datagram")]
    internal static partial int DtlsHandleDatagram(DtlsHandle dtls, ReadOnlySpan<byte> datagram, int size);

    [LibraryImport(Library, EntryPoint = "mcu_dtls_close")]
    internal static partial int DtlsClose(DtlsHandle dtls);

    [LibraryImport(Library, EntryPoint = "mcu_dtls_output_size")]
    internal static partial int DtlsOutputSize(DtlsHandle dtls);

    [LibraryImport(Library, EntryPoint = "mcu_dtls_take_output")]
    internal static partial int DtlsTakeOutput(DtlsHandle dtls, Span<byte> buffer, int capacity);

    [LibraryImport(Library, EntryPoint = "mcu_dtls_srtp_profile")]
    internal static partial int DtlsSrtpProfile(DtlsHandle dtls);

    [LibraryImport(Library, EntryPoint = "mcu_dtls_export_srtp_keys")]
    internal static partial int DtlsExportSrtpKeys(DtlsHandle dtls, Span<byte> material, int size);

    [LibraryImport(Library, EntryPoint = "mcu_dtls_failure")]
    private static partial int DtlsFailure(DtlsHandle dtls, Span<byte> text, int size);

    /// <summary>Why the connection failed (an <c>enum mcu_dtls_failure</c> value) and the shim's detail text.</summary>
    internal static (int Kind, string Text) Failure(DtlsHandle dtls)
    {
        Span<byte> text = stackalloc byte[128];
        int kind = DtlsFailure(dtls, text, text.Length);
        int end = text.IndexOf((byte)0);
        return (kind, Encoding.UTF8.GetString(end < 0 ? text : text[..end]));
    }

    /// <summary>Encodes text for the shim's NUL-terminated <c>const char*</c> parameters.</summary>
    internal static byte[] Utf8Z(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
