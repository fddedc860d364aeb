namespace Mcu.Media.Codecs;

/// <summary>What a receiver needs of an audio decoder (tests put a slow one in its place).</summary>
public interface IAudioFrameDecoder : IDisposable
{
    /// <summary>See <see cref="OpusDecoder.Decode"/>.</summary>
    int Decode(ReadOnlySpan<byte> packet, Span<short> pcm);

    /// <summary>See <see cref="OpusDecoder.DecodeLost"/>.</summary>
    int DecodeLost(Span<short> pcm);

    /// <summary>See <see cref="OpusDecoder.DecodeFec"/>; a decoder without FEC returns 0 (the caller conceals).</summary>
    int DecodeFec(ReadOnlySpan<byte> next, Span<short> pcm) => 0;
}
