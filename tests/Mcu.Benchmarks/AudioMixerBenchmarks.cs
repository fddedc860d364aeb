using BenchmarkDotNet.Attributes;
using Mcu.Media.Audio;
using Mcu.Media.Frames;

namespace Mcu.Benchmarks;

/// <summary>One 20 ms tick of a 24-participant room: 3 talking loud enough to engage the limiter, the rest quiet or silent.</summary>
[MemoryDiagnoser]
public class AudioMixerBenchmarks
{
    private const int Inputs = 24;
    private readonly AudioMixer _mixer = new(Inputs);
    private readonly ActiveSpeakerDetector _detector = new(Inputs);
    private readonly double[] _levels = new double[Inputs];
    private readonly short[][] _pcm = new short[Inputs][];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int slot = 0; slot < Inputs; slot++)
        {
            // Slots 0-2 speak near full scale; the others carry background noise below the -50 dBov gate.
            int amplitude = slot < 3 ? 30000 : 40;
            _pcm[slot] = new short[AudioFormat.SamplesPerFrame];
            for (int i = 0; i < _pcm[slot].Length; i++)
            {
                double tone = Math.Sin(2 * Math.PI * (200 + 50 * slot) * i / AudioFormat.SampleRate);
                _pcm[slot][i] = (short)(amplitude * (slot < 3 ? tone : random.NextDouble() * 2 - 1));
            }
        }
    }

    [Benchmark]
    public int MixTick()
    {
        for (int slot = 0; slot < Inputs; slot++)
        {
            _mixer.SetInput(slot, _pcm[slot]);
        }

        _mixer.Mix();
        for (int slot = 0; slot < Inputs; slot++)
        {
            _levels[slot] = _mixer.LevelDbov(slot);
        }

        _detector.Update(_levels);
        return _mixer.DistinctMixCount;
    }
}
