using Mcu.Media.Frames;
using Mcu.Media.Interop;

namespace Mcu.Media.Codecs;

/// <summary>
/// libopus decoder producing 48 kHz mono 16-bit PCM, with packet loss concealment (PLC)
/// and in-band FEC: a frame lost before a packet that carries FEC (LBRR, RFC 6716 §4.2.4)
/// is rebuilt from that packet. Bad packets return a negative value, never throw. One
/// thread at a time.
/// </summary>
public sealed class OpusDecoder : IAudioFrameDecoder
{
    /// <summary>Samples in the longest Opus packet (120 ms at 48 kHz).</summary>
    public const int MaxSamplesPerPacket = 5760;

    private readonly OpusDecoderHandle _handle;

    public OpusDecoder()
    {
        MediaCodecException.ThrowIfFailed(MediaNative.OpusDecoderCreate(out _handle), "Creating the Opus decoder");
    }

    /// <summary>
    /// Decodes one packet into <paramref name="pcm"/>. Returns the samples written
    /// (960 for a 20 ms packet) or a negative FFmpeg error for a bad packet or a
    /// too small <paramref name="pcm"/>.
    /// </summary>
    public int Decode(ReadOnlySpan<byte> packet, Span<short> pcm)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (packet.IsEmpty)
        {
            return DecodeLost(pcm);
        }
        return MediaNative.OpusDecoderDecode(_handle, packet, packet.Length, pcm, pcm.Length);
    }

    /// <summary>
    /// Packet loss concealment: synthesizes one 20 ms frame (960 samples) continuing
    /// the last decoded audio. Returns the samples written or a negative error.
    /// </summary>
    public int DecodeLost(Span<short> pcm)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (pcm.Length < AudioFormat.SamplesPerFrame)
        {
            throw new ArgumentException($"Concealment writes {AudioFormat.SamplesPerFrame} samples", nameof(pcm));
        }
        return MediaNative.OpusDecoderDecode(_handle, ReadOnlySpan<byte>.Empty, 0, pcm, pcm.Length);
    }

    /// <summary>
    /// Rebuilds the 20 ms frame lost just before <paramref name="next"/> from next's in-band FEC;
    /// decode <paramref name="next"/> itself afterwards, as usual. Returns the samples written (960),
    /// 0 when next carries no FEC (nothing written: conceal instead), or a negative error.
    /// </summary>
    public int DecodeFec(ReadOnlySpan<byte> next, Span<short> pcm)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (!HasFec(next))
        {
            return 0;
        }
        if (pcm.Length < AudioFormat.SamplesPerFrame)
        {
            throw new ArgumentException($"FEC writes {AudioFormat.SamplesPerFrame} samples", nameof(pcm));
        }
        return MediaNative.OpusDecoderDecodeFec(_handle, next, next.Length, pcm, AudioFormat.SamplesPerFrame);
    }

    /// <summary>Whether <paramref name="packet"/> carries in-band FEC for the frame before it.</summary>
    public static bool HasFec(ReadOnlySpan<byte> packet) =>
        !packet.IsEmpty && MediaNative.OpusPacketHasFec(packet, packet.Length) == 1;

    public void Dispose() => _handle.Dispose();
}
