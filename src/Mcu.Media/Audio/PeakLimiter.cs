namespace Mcu.Media.Audio;

/// <summary>
/// Brings a 32-bit sum of voices into 16 bits without wrap-around or hard clipping. The gain never lets a
/// sample exceed <see cref="Threshold"/>; it falls ahead of a peak along a short ramp (the whole 20 ms frame
/// is known before it is sent, so looking ahead inside it adds no latency) and recovers slowly afterwards,
/// so a loud passage is turned down as a whole instead of having its tops cut off.
/// One limiter per output mix: its gain carries over from frame to frame.
/// </summary>
internal sealed class PeakLimiter
{
    /// <summary>About -0.45 dBFS: leaves the encoder a little headroom.</summary>
    public const int Threshold = 31_130;

    // The gain may fall from 1 to 0 over 1 ms (48 samples) ...
    private const float AttackStep = 1f / 48;

    // ... stays put for 25 ms after the last reduction, longer than a voice's pitch period, so the next
    // peak of the same sound meets the same gain rather than being flattened ...
    private const int HoldSamples = 25 * 48;

    // ... and then recovers at 40 dB per second (in dB, so a deep reduction recovers as smoothly as a slight one).
    private static readonly float ReleaseFactor = MathF.Pow(10f, 40f / 48_000 / 20);

    private float _gain = 1f;
    private int _holdRemaining;

    public float Gain => _gain;

    public void CopyStateFrom(PeakLimiter other)
    {
        _gain = other._gain;
        _holdRemaining = other._holdRemaining;
    }

    /// <param name="scratch">At least as long as <paramref name="sum"/>; contents are overwritten.</param>
    public void Process(ReadOnlySpan<int> sum, Span<short> output, Span<float> scratch)
    {
        int peak = 0;
        foreach (int s in sum)
        {
            peak = Math.Max(peak, Math.Abs(s));
        }

        if (peak <= Threshold && _gain == 1f)
        {
            for (int i = 0; i < sum.Length; i++)
            {
                output[i] = (short)sum[i];
            }

            return;
        }

        // Backward pass: the highest gain at each sample that keeps it and every later sample of the frame
        // under the threshold, given that the gain can fall by at most AttackStep per sample.
        var ceiling = scratch[..sum.Length];
        float next = 1f;
        for (int i = sum.Length - 1; i >= 0; i--)
        {
            int magnitude = Math.Abs(sum[i]);
            float needed = magnitude > Threshold ? (float)Threshold / magnitude : 1f;
            next = Math.Min(needed, next + AttackStep);
            ceiling[i] = next;
        }

        // Forward pass: hold, then slow release towards 1, never above the ceiling.
        float gain = _gain;
        int hold = _holdRemaining;
        for (int i = 0; i < sum.Length; i++)
        {
            float candidate = hold > 0 ? gain : Math.Min(1f, gain * ReleaseFactor);
            if (hold > 0)
            {
                hold--;
            }

            if (ceiling[i] <= candidate && ceiling[i] < 1f)
            {
                // The ceiling binds: this is a peak, so hold the gain from here.
                gain = ceiling[i];
                hold = HoldSamples;
            }
            else
            {
                gain = candidate;
            }

            output[i] = (short)MathF.Round(sum[i] * gain);
        }

        _holdRemaining = hold;

        _gain = gain > 0.9999f ? 1f : gain;
    }
}
