using System.Runtime.InteropServices;

namespace Mcu.Media.Interop;

/// <summary>Owns one <c>mcu_opus_decoder</c>.</summary>
internal sealed class OpusDecoderHandle : SafeHandle
{
    public OpusDecoderHandle() : base(0, ownsHandle: true) { }
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle()
    {
        MediaNative.OpusDecoderDestroy(handle);
        return true;
    }
}

/// <summary>Owns one <c>mcu_opus_encoder</c>.</summary>
internal sealed class OpusEncoderHandle : SafeHandle
{
    public OpusEncoderHandle() : base(0, ownsHandle: true) { }
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle()
    {
        MediaNative.OpusEncoderDestroy(handle);
        return true;
    }
}

internal static partial class MediaNative
{
    [LibraryImport(Library, EntryPoint = "mcu_opus_decoder_create")]
    public static partial int OpusDecoderCreate(out OpusDecoderHandle decoder);

    [LibraryImport(Library, EntryPoint = "mcu_opus_decoder_destroy")]
    public static partial void OpusDecoderDestroy(nint decoder);

    /// <summary>A zero <paramref name="size"/> asks for concealment of one lost 20 ms frame.</summary>
    [LibraryImport(Library, EntryPoint = "mcu_opus_decoder_decode")]
    public static partial int OpusDecoderDecode(OpusDecoderHandle decoder, ReadOnlySpan<byte> data, int size,
        Span<short> pcm, int capacity);

    [LibraryImport(Library, EntryPoint = "mcu_opus_decoder_decode_fec")]
    public static partial int OpusDecoderDecodeFec(OpusDecoderHandle decoder, ReadOnlySpan<byte> data, int size,
        Span<short> pcm, int samples);

    [LibraryImport(Library, EntryPoint = "mcu_opus_packet_has_fec")]
    public static partial int OpusPacketHasFec(ReadOnlySpan<byte> data, int size);

    [LibraryImport(Library, EntryPoint = "mcu_opus_encoder_create")]
    public static partial int OpusEncoderCreate(int bitrateBps, out OpusEncoderHandle encoder);

    [LibraryImport(Library, EntryPoint = "mcu_opus_encoder_destroy")]
    public static partial void OpusEncoderDestroy(nint encoder);

    [LibraryImport(Library, EntryPoint = "mcu_opus_encoder_encode")]
    public static partial int OpusEncoderEncode(OpusEncoderHandle encoder, ReadOnlySpan<short> pcm, int samples,
        Span<byte> destination, int capacity);

    [LibraryImport(Library, EntryPoint = "mcu_opus_encoder_set_bitrate")]
    public static partial int OpusEncoderSetBitrate(OpusEncoderHandle encoder, int bitrateBps);

    [LibraryImport(Library, EntryPoint = "mcu_opus_encoder_set_fec")]
    public static partial int OpusEncoderSetFec(OpusEncoderHandle encoder, int lossPercent);

    [LibraryImport(Library, EntryPoint = "mcu_opus_encoder_set_dtx")]
    public static partial int OpusEncoderSetDtx(OpusEncoderHandle encoder, int enabled);
}
