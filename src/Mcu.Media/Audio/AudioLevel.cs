namespace Mcu.Media.Audio;

/// <summary>
/// Audio level in dBov as RFC 6464 defines it: decibels relative to the overload point of 16-bit PCM,
/// measured as the RMS of the frame against full scale, so a full-scale square wave is 0 dBov and a
/// full-scale sine about -3 dBov. The RTP header extension carries it as 0..127 meaning 0..-127 dBov.
/// </summary>
public static class AudioLevel
{
    public const double SilenceDbov = -127;

    public static double Dbov(ReadOnlySpan<short> pcm)
    {
        if (pcm.IsEmpty)
        {
            return SilenceDbov;
        }

        long sumOfSquares = 0;
        foreach (short s in pcm)
        {
            sumOfSquares += s * s;
        }

        double meanSquare = (double)sumOfSquares / pcm.Length;
        if (meanSquare == 0)
        {
            return SilenceDbov;
        }

        return Math.Max(SilenceDbov, 10 * Math.Log10(meanSquare / (32767.0 * 32767.0)));
    }

    /// <summary>The RFC 6464 wire value: -dBov rounded and clamped to 0..127.</summary>
    public static byte ToRfc6464(double dbov) => (byte)Math.Clamp((int)Math.Round(-dbov), 0, 127);
}
