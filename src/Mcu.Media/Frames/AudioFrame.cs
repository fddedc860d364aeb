namespace Mcu.Media.Frames;

/// <summary>
/// 20 ms of mono 16-bit PCM at 48 kHz: the unit the mixer, the Opus codec and the
/// room's audio tick all work in.
/// </summary>
public static class AudioFormat
{
    public const int SampleRate = 48_000;
    public const int FrameMillis = 20;
    public const int SamplesPerFrame = SampleRate / 1000 * FrameMillis; // 960
}
