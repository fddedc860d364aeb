using Mcu.Media.Frames;
using Mcu.Media.Interop;

namespace Mcu.Media.Codecs;

/// <summary>
/// libopus encoder for 48 kHz mono 16-bit PCM in 20 ms frames: VBR, VoIP application,
/// in-band FEC tuned for 10 % loss and DTX off until changed; bitrate, FEC and DTX change
/// on the running encoder. One thread at a time.
/// </summary>
public sealed class OpusEncoder : IDisposable
{
    /// <summary>Room for any packet this encoder makes (RFC 6716 caps a frame at 1275 bytes).</summary>
    public const int MaxPacketSize = 1276;

    /// <summary>With DTX on, a packet this long or shorter is silence that need not be sent.</summary>
    public const int DtxPacketMaxSize = 2;

    private readonly OpusEncoderHandle _handle;

    public OpusEncoder(int bitrateBps = 32000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bitrateBps, 6000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bitrateBps, 510_000);
        MediaCodecException.ThrowIfFailed(MediaNative.OpusEncoderCreate(bitrateBps, out _handle), "Creating the Opus encoder");
        BitrateBps = bitrateBps;
    }

    public int BitrateBps { get; private set; }

    /// <summary>The loss in-band FEC is tuned for, in percent; 0: no FEC.</summary>
    public int FecLossPercent { get; private set; } = 10;

    public bool Dtx { get; private set; }

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

    public void SetBitrate(int bitrateBps)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (bitrateBps == BitrateBps)
        {
            return;
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(bitrateBps, 6000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bitrateBps, 510_000);
        MediaCodecException.ThrowIfFailed(MediaNative.OpusEncoderSetBitrate(_handle, bitrateBps), "Setting the Opus bitrate");
        BitrateBps = bitrateBps;
    }

    /// <summary>In-band FEC tuned for <paramref name="lossPercent"/> loss (0 turns it off).</summary>
    public void SetFec(int lossPercent)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(lossPercent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lossPercent, 100);
        if (lossPercent == FecLossPercent)
        {
            return;
        }
        MediaCodecException.ThrowIfFailed(MediaNative.OpusEncoderSetFec(_handle, lossPercent), "Setting Opus FEC");
        FecLossPercent = lossPercent;
    }

    /// <summary>DTX: during silence most packets shrink to <see cref="DtxPacketMaxSize"/> bytes, which need not be sent.</summary>
    public void SetDtx(bool enabled)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (enabled == Dtx)
        {
            return;
        }
        MediaCodecException.ThrowIfFailed(MediaNative.OpusEncoderSetDtx(_handle, enabled ? 1 : 0), "Setting Opus DTX");
        Dtx = enabled;
    }

    public void Dispose() => _handle.Dispose();
}
