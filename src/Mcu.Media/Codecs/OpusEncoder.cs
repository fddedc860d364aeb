using Mcu.Media.Frames;
using Mcu.Media.Interop;

namespace Mcu.Media.Codecs;

/// <summary>
/// libopus encoder for 48 kHz mono 16-bit PCM in 20 ms frames: VBR, VoIP
/// application, in-band FEC tuned for 10 % loss. One thread at a time.
/// </summary>
public sealed class OpusEncoder : IDisposable
{
    /// <summary>Room for any packet this encoder makes (RFC 6716 caps a frame at 1275 bytes).</summary>
    public const int MaxPacketSize = 1276;

    private OpusEncoderHandle _handle;

    public OpusEncoder(int bitrateBps = 32000)
    {
        _handle = Create(bitrateBps);
        BitrateBps = bitrateBps;
    }

    public int BitrateBps { get; private set; }

    /// <summary>
    /// Encodes exactly 960 samples into <paramref name="destination"/> and returns the
    /// packet length. Throws when <paramref name="destination"/> is too small (use
    /// <see cref="MaxPacketSize"/>).
    /// </summary>
    public int Encode(ReadOnlySpan<short> pcm960, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (pcm960.Length != AudioFormat.SamplesPerFrame)
        {
            throw new ArgumentException($"Opus frames are {AudioFormat.SamplesPerFrame} samples", nameof(pcm960));
        }
        int result = MediaNative.OpusEncoderEncode(_handle, pcm960, pcm960.Length, destination, destination.Length);
        MediaCodecException.ThrowIfFailed(result, "Opus encoding");
        return result;
    }

    /// <summary>
    /// Changes the bitrate by starting a fresh encoder (FFmpeg 5.1's libopus wrapper
    /// cannot retarget); Opus decoders follow without a glitch worth noticing.
    /// </summary>
    public void SetBitrate(int bitrateBps)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (bitrateBps == BitrateBps)
        {
            return;
        }
        var fresh = Create(bitrateBps);
        _handle.Dispose();
        _handle = fresh;
        BitrateBps = bitrateBps;
    }

    public void Dispose() => _handle.Dispose();

    private static OpusEncoderHandle Create(int bitrateBps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bitrateBps, 6000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bitrateBps, 510_000);
        int result = MediaNative.OpusEncoderCreate(bitrateBps, out var handle);
        MediaCodecException.ThrowIfFailed(result, "Creating the Opus encoder");
        return handle;
    }
}
