using Mcu.Media.Audio;
using Mcu.Media.Frames;

namespace Mcu.Media.Tests.Audio;

public class AudioMixerTests
{
    private const int N = AudioFormat.SamplesPerFrame;
    private static readonly double[] Tones = [300, 500, 700, 900]; // whole cycles in 20 ms

    [Fact]
    public void MixMinus_HasEveryOtherToneAndNotOwn()
    {
        var mixer = new AudioMixer(4);
        for (int slot = 0; slot < 4; slot++)
        {
            mixer.SetInput(slot, Sine(Tones[slot], 6000));
        }

        mixer.Mix();

        for (int slot = 0; slot < 4; slot++)
        {
            var mix = mixer.MixMinus(slot);
            double loudestOther = double.MinValue;
            for (int other = 0; other < 4; other++)
            {
                if (other != slot)
                {
                    double level = ToneDb(mix, Tones[other]);
                    Assert.InRange(level, ToneDb(Sine(Tones[other], 6000), Tones[other]) - 0.5, double.MaxValue);
                    loudestOther = Math.Max(loudestOther, level);
                }
            }

            Assert.True(ToneDb(mix, Tones[slot]) <= loudestOther - 40, $"slot {slot} hears itself");
        }

        foreach (double tone in Tones)
        {
            Assert.True(ToneDb(mixer.FullMix, tone) > ToneDb(Sine(tone, 6000), tone) - 0.5);
        }
    }

    [Theory]
    [InlineData(32767, -3.01, 3)]
    [InlineData(3277, -23.01, 23)]
    [InlineData(33, -62.9, 63)]
    public void Level_OfASineIsItsRmsAgainstFullScale(short amplitude, double dbov, byte rfc6464)
    {
        var mixer = new AudioMixer(2);
        mixer.SetInput(1, Sine(1000, amplitude));
        mixer.Mix();

        Assert.InRange(mixer.LevelDbov(1), dbov - 0.05, dbov + 0.05);
        Assert.Equal(rfc6464, AudioLevel.ToRfc6464(mixer.LevelDbov(1)));
        Assert.Equal(AudioLevel.SilenceDbov, mixer.LevelDbov(0));
        Assert.Equal(127, AudioLevel.ToRfc6464(mixer.LevelDbov(0)));
    }

    [Fact]
    public void Limiter_EightFullScaleInputsInPhase_NoWrapNoSquare()
    {
        var mixer = new AudioMixer(8);
        var tone = Sine(300, 32767);
        for (int tick = 0; tick < 10; tick++)
        {
            for (int slot = 0; slot < 8; slot++)
            {
                mixer.SetInput(slot, tone);
            }

            mixer.Mix();

            foreach (var mix in new[] { mixer.FullMix.ToArray(), mixer.MixMinus(0).ToArray() })
            {
                for (int i = 0; i < N; i++)
                {
                    // Same sign as the input wherever the input is clearly away from zero: nothing wrapped around.
                    if (Math.Abs(tone[i]) > 500)
                    {
                        Assert.Equal(Math.Sign(tone[i]), Math.Sign(mix[i]));
                    }
                }

                if (tick >= 2)
                {
                    // Settled: a scaled copy of the sine, close to full scale, not a clipped square.
                    int peak = mix.Max(s => Math.Abs((int)s));
                    Assert.InRange(peak, 26000, 32767);
                    double scale = Dot(mix, tone) / Dot(tone, tone);
                    double worst = Enumerable.Range(0, N).Max(i => Math.Abs(mix[i] - scale * tone[i]));
                    int at = Enumerable.Range(0, N).MaxBy(i => Math.Abs(mix[i] - scale * tone[i]));
                    Assert.True(worst < 0.01 * peak, $"tick {tick} at {at} mix {mix[at]} tone {tone[at]} scale {scale} off a scaled sine by {worst}: flattened tops");
                    double fundamental = ToneDb(mix, 300);
                    Assert.True(ToneDb(mix, 900) < fundamental - 40, "third harmonic");
                    Assert.True(ToneDb(mix, 1500) < fundamental - 40, "fifth harmonic");
                }
            }
        }
    }

    [Fact]
    public void Limiter_RecoversSmoothlyToUnityGainAfterALoudPassage()
    {
        var mixer = new AudioMixer(8);
        var loud = Sine(300, 32767);
        var quiet = Sine(500, 10000);
        for (int tick = 0; tick < 5; tick++)
        {
            for (int slot = 0; slot < 8; slot++)
            {
                mixer.SetInput(slot, loud);
            }

            mixer.Mix();
        }

        double previousPeak = 0;
        for (int tick = 0; tick < 60; tick++)
        {
            mixer.SetInput(1, quiet);
            mixer.Mix();
            double peak = mixer.FullMix.ToArray().Max(s => Math.Abs((int)s));
            Assert.True(peak >= previousPeak - 1, "gain only rises once the loud passage is over");
            Assert.True(peak <= previousPeak * 1.1 + 1 || tick == 0, "no sudden jumps while recovering");
            previousPeak = peak;
        }

        Assert.Equal(quiet, mixer.FullMix.ToArray());
    }

    [Fact]
    public void Limiter_LeavesQuietMixesBitExact()
    {
        var mixer = new AudioMixer(3);
        var a = Sine(300, 10000);
        var b = Sine(700, 9000);
        mixer.SetInput(0, a);
        mixer.SetInput(1, b);
        mixer.Mix();

        for (int i = 0; i < N; i++)
        {
            Assert.Equal(a[i] + b[i], mixer.FullMix[i]);
            Assert.Equal(b[i], mixer.MixMinus(0)[i]);
        }
    }

    [Fact]
    public void SilentSlotsShareTheFullMix_DistinctMixCountIsOnePlusAudible()
    {
        var mixer = new AudioMixer(6);
        mixer.SetInput(0, Sine(300, 5000));
        mixer.SetInput(2, Sine(500, 5000));
        mixer.SetInput(3, Sine(700, 5000));
        mixer.SetInput(4, Sine(900, 30)); // about -63 dBov: below the -50 dBov threshold
        mixer.Mix();

        Assert.Equal([0, 2, 3], mixer.AudibleSlots.ToArray());
        Assert.Equal(4, mixer.DistinctMixCount);
        Assert.True(mixer.MixMinus(1) == mixer.FullMix);
        Assert.True(mixer.MixMinus(4) == mixer.FullMix);
        Assert.True(mixer.MixMinus(5) == mixer.FullMix);
        Assert.False(mixer.MixMinus(0) == mixer.FullMix);
        Assert.False(mixer.MixMinus(2) == mixer.MixMinus(3));
        Assert.True(ToneDb(mixer.FullMix, 900) < ToneDb(mixer.FullMix, 300) - 60, "gated input is not mixed");
    }

    [Fact]
    public void InputsLastOneTick()
    {
        var mixer = new AudioMixer(2);
        mixer.SetInput(0, Sine(300, 5000));
        mixer.SetInput(1, Sine(500, 5000));
        mixer.ClearInput(1);
        mixer.Mix();
        Assert.Equal([0], mixer.AudibleSlots.ToArray());

        mixer.Mix();
        Assert.Equal(1, mixer.DistinctMixCount);
        Assert.All(mixer.FullMix.ToArray(), s => Assert.Equal(0, s));
    }

    [Fact]
    public void MixAllocatesNothing()
    {
        var mixer = new AudioMixer(24);
        var tone = Sine(300, 20000);
        void Tick()
        {
            for (int slot = 0; slot < 24; slot++)
            {
                mixer.SetInput(slot, tone);
            }

            mixer.Mix();
        }

        Tick();
        Tick();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            Tick();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static double Dot(short[] a, short[] b) => Enumerable.Range(0, a.Length).Sum(i => (double)a[i] * b[i]);

    internal static short[] Sine(double hz, short amplitude)
    {
        var pcm = new short[N];
        for (int i = 0; i < N; i++)
        {
            pcm[i] = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * hz * i / AudioFormat.SampleRate));
        }

        return pcm;
    }

    /// <summary>Power of one frequency (Goertzel), in dB of amplitude.</summary>
    internal static double ToneDb(ReadOnlySpan<short> pcm, double hz)
    {
        double coefficient = 2 * Math.Cos(2 * Math.PI * hz / AudioFormat.SampleRate);
        double s1 = 0, s2 = 0;
        foreach (short x in pcm)
        {
            double s = x + coefficient * s1 - s2;
            s2 = s1;
            s1 = s;
        }

        double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        return 10 * Math.Log10(power + 1e-9);
    }
}
