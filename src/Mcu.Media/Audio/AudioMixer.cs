using System.Numerics;
using Mcu.Media.Frames;

namespace Mcu.Media.Audio;

/// <summary>
/// Mixes one 20 ms tick of a room's audio. Each tick: <see cref="SetInput"/> for every participant that sent
/// audio, then <see cref="Mix"/>. The mix holds only audible inputs (at or above the threshold; quieter ones
/// are gated out so two dozen open microphones don't add up their noise). Every audible participant gets the
/// mix minus their own voice, computed on the 32-bit sum before limiting; everyone else shares
/// <see cref="FullMix"/>, which contains none of their voice. So a room needs <see cref="DistinctMixCount"/>
/// encodes per tick. Allocates nothing after construction. Not thread-safe: one room loop drives it.
/// </summary>
public sealed class AudioMixer
{
    private const int Samples = AudioFormat.SamplesPerFrame;

    private readonly short[][] _inputs;
    private readonly bool[] _hasInput;
    private readonly double[] _levels;
    private readonly bool[] _audible;
    private readonly int[] _audibleSlots;
    private readonly short[][] _mixMinus;
    private readonly PeakLimiter[] _mixMinusLimiters;
    private readonly PeakLimiter _fullLimiter = new();
    private readonly short[] _fullMix = new short[Samples];
    private readonly int[] _sum = new int[Samples];
    private readonly int[] _minusOwn = new int[Samples];
    private readonly float[] _limiterScratch = new float[Samples];
    private int _audibleCount;

    public AudioMixer(int maxInputs, double audibleThresholdDbov = -50)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInputs, 1);
        MaxInputs = maxInputs;
        AudibleThresholdDbov = audibleThresholdDbov;
        _inputs = new short[maxInputs][];
        _mixMinus = new short[maxInputs][];
        _mixMinusLimiters = new PeakLimiter[maxInputs];
        for (int i = 0; i < maxInputs; i++)
        {
            _inputs[i] = new short[Samples];
            _mixMinus[i] = new short[Samples];
            _mixMinusLimiters[i] = new PeakLimiter();
        }

        _hasInput = new bool[maxInputs];
        _levels = new double[maxInputs];
        _levels.AsSpan().Fill(AudioLevel.SilenceDbov);
        _audible = new bool[maxInputs];
        _audibleSlots = new int[maxInputs];
    }

    public int MaxInputs { get; }

    public double AudibleThresholdDbov { get; }

    /// <summary>The mix of every audible input, for everyone who is not audible this tick.</summary>
    public ReadOnlySpan<short> FullMix => _fullMix;

    /// <summary>Slots that were audible in the last <see cref="Mix"/>, ascending.</summary>
    public ReadOnlySpan<int> AudibleSlots => _audibleSlots.AsSpan(0, _audibleCount);

    /// <summary>Mixes that differ from each other this tick: the full mix and one mix-minus per audible slot.</summary>
    public int DistinctMixCount => 1 + _audibleCount;

    /// <summary>Copies this tick's decoded PCM of <paramref name="slot"/>; shorter input is padded with silence.</summary>
    public void SetInput(int slot, ReadOnlySpan<short> pcm)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pcm.Length, Samples, nameof(pcm));
        var buffer = _inputs[slot];
        pcm.CopyTo(buffer);
        buffer.AsSpan(pcm.Length).Clear();
        _hasInput[slot] = true;
    }

    /// <summary>Drops the input set for this tick (a participant muted or gone).</summary>
    public void ClearInput(int slot) => _hasInput[slot] = false;

    /// <summary>Level of the slot's input in the last <see cref="Mix"/>, in dBov (-127 when it sent nothing).</summary>
    public double LevelDbov(int slot) => _levels[slot];

    public bool IsAudible(int slot) => _audible[slot];

    /// <summary>What <paramref name="slot"/> should hear: everyone audible but itself.</summary>
    public ReadOnlySpan<short> MixMinus(int slot) => _audible[slot] ? _mixMinus[slot] : _fullMix;

    /// <summary>Mixes the inputs set since the last tick; afterwards every slot counts as silent until set again.</summary>
    public void Mix()
    {
        _audibleCount = 0;
        for (int slot = 0; slot < MaxInputs; slot++)
        {
            bool wasAudible = _audible[slot];
            _levels[slot] = _hasInput[slot] ? AudioLevel.Dbov(_inputs[slot]) : AudioLevel.SilenceDbov;
            _audible[slot] = _hasInput[slot] && _levels[slot] >= AudibleThresholdDbov;
            if (_audible[slot])
            {
                _audibleSlots[_audibleCount++] = slot;
                if (!wasAudible)
                {
                    // This listener heard the full mix until now: continue from its gain, not a stale one.
                    _mixMinusLimiters[slot].CopyStateFrom(_fullLimiter);
                }
            }

            _hasInput[slot] = false;
        }

        var sum = _sum.AsSpan();
        sum.Clear();
        foreach (int slot in AudibleSlots)
        {
            Accumulate(_inputs[slot], sum);
        }

        foreach (int slot in AudibleSlots)
        {
            Subtract(sum, _inputs[slot], _minusOwn);
            _mixMinusLimiters[slot].Process(_minusOwn, _mixMinus[slot], _limiterScratch);
        }

        _fullLimiter.Process(sum, _fullMix, _limiterScratch);
    }

    private static void Accumulate(ReadOnlySpan<short> pcm, Span<int> sum)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<short>.Count <= pcm.Length; i += Vector<short>.Count)
            {
                Vector.Widen(new Vector<short>(pcm[i..]), out var low, out var high);
                (new Vector<int>(sum[i..]) + low).CopyTo(sum[i..]);
                (new Vector<int>(sum[(i + Vector<int>.Count)..]) + high).CopyTo(sum[(i + Vector<int>.Count)..]);
            }
        }

        for (; i < pcm.Length; i++)
        {
            sum[i] += pcm[i];
        }
    }

    private static void Subtract(ReadOnlySpan<int> sum, ReadOnlySpan<short> pcm, Span<int> result)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<short>.Count <= pcm.Length; i += Vector<short>.Count)
            {
                Vector.Widen(new Vector<short>(pcm[i..]), out var low, out var high);
                (new Vector<int>(sum[i..]) - low).CopyTo(result[i..]);
                (new Vector<int>(sum[(i + Vector<int>.Count)..]) - high).CopyTo(result[(i + Vector<int>.Count)..]);
            }
        }

        for (; i < pcm.Length; i++)
        {
            result[i] = sum[i] - pcm[i];
        }
    }
}
