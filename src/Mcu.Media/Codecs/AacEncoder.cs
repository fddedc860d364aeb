using Mcu.Media.Interop;

namespace Mcu.Media.Codecs;

/// <summary>
/// FFmpeg's AAC-LC encoder for 48 kHz mono 16-bit PCM in 1024-sample frames, for
/// recordings. Packets are raw AAC (no ADTS); <see cref="AudioSpecificConfig"/>
/// describes them. One thread at a time.
/// </summary>
public sealed class AacEncoder : IDisposable
{
    public const int SamplesPerFrame = 1024;

    private readonly AacEncoderHandle _handle;

    public AacEncoder(int bitrateBps = 64000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bitrateBps, 8000);
        int result = MediaNative.AacEncoderCreate(bitrateBps, out _handle);
        MediaCodecException.ThrowIfFailed(result, "Creating the AAC encoder");
        MediaNative.AacEncoderGetConfig(_handle, out nint config, out int size);
        AudioSpecificConfig = MediaNative.NativeSpan(config, size).ToArray();
    }

    /// <summary>ISO 14496-3 AudioSpecificConfig, e.g. for an MP4 'esds' or an SDP 'config'.</summary>
    public byte[] AudioSpecificConfig { get; }

    /// <summary>
    /// Encodes 1024 samples starting at <paramref name="timestampMicros"/>. The encoder
    /// lags a frame or two behind; packets come out through <paramref name="onPacket"/>
    /// (every AAC packet is independently decodable, so isKeyframe is always true).
    /// </summary>
    public void Encode(ReadOnlySpan<short> pcm1024, long timestampMicros, EncodedPacketHandler onPacket)
    {
        ArgumentNullException.ThrowIfNull(onPacket);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (pcm1024.Length != SamplesPerFrame)
        {
            throw new ArgumentException($"AAC frames are {SamplesPerFrame} samples", nameof(pcm1024));
        }
        int result = MediaNative.AacEncoderSend(_handle, pcm1024, pcm1024.Length, timestampMicros);
        MediaCodecException.ThrowIfFailed(result, "AAC encoding");
        Drain(onPacket);
    }

    /// <summary>Emits the packets still inside the encoder; call once at the end.</summary>
    public void Flush(EncodedPacketHandler onPacket)
    {
        ArgumentNullException.ThrowIfNull(onPacket);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        MediaCodecException.ThrowIfFailed(MediaNative.AacEncoderSend(_handle, default, 0, 0), "AAC flush");
        Drain(onPacket);
    }

    public void Dispose() => _handle.Dispose();

    private void Drain(EncodedPacketHandler onPacket)
    {
        while (true)
        {
            int result = MediaNative.AacEncoderReceivePacket(_handle, out nint data, out int size, out long pts);
            MediaCodecException.ThrowIfFailed(result, "AAC encoding");
            if (result == 0)
            {
                return;
            }
            onPacket(MediaNative.NativeSpan(data, size), true, pts);
        }
    }
}
