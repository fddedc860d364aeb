using Mcu.Media.Codecs;

namespace Mcu.Conference.Receive;

/// <summary>
/// Makes the decoders of what a room's participants send: FFmpeg's and libopus through the
/// native shim (<see cref="Native"/>), unless a test puts slow or failing ones in their place.
/// </summary>
public class DecoderFactory
{
    public static DecoderFactory Native { get; } = new();

    /// <summary>A decoder that refuses pictures over <paramref name="maxWidth"/> x <paramref name="maxHeight"/>.</summary>
    public virtual IVideoFrameDecoder CreateVideo(VideoCodec codec, int maxWidth, int maxHeight) => new VideoDecoder(codec, maxWidth, maxHeight);

    public virtual IAudioFrameDecoder CreateAudio() => new OpusDecoder();
}
