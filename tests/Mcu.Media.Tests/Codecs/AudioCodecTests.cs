using Mcu.Media.Codecs;
using Mcu.Media.Frames;

namespace Mcu.Media.Tests.Codecs;

public class AudioCodecTests
{
    private const int Frames = 50; // one second

    private static short[] Sine(int frequency, int samples, double amplitude = 10_000)
    {
        var pcm = new short[samples];
        for (int i = 0; i < samples; i++)
        {
            pcm[i] = (short)(amplitude * Math.Sin(2 * Math.PI * frequency * i / AudioFormat.SampleRate));
        }
        return pcm;
    }

    /// <summary>Power of one DFT bin, normalised by length.</summary>
    private static double Power(ReadOnlySpan<short> pcm, int frequency)
    {
        double re = 0, im = 0;
        for (int i = 0; i < pcm.Length; i++)
        {
            double phase = 2 * Math.PI * frequency * i / AudioFormat.SampleRate;
            re += pcm[i] * Math.Cos(phase);
            im -= pcm[i] * Math.Sin(phase);
        }
        return (re * re + im * im) / pcm.Length;
    }

    [Fact]
    public void OpusRoundTripKeepsA1KHzTone()
    {
        short[] input = Sine(1000, Frames * AudioFormat.SamplesPerFrame);
        var output = new short[input.Length];
        var packet = new byte[OpusEncoder.MaxPacketSize];
        using var encoder = new OpusEncoder(32000);
        using var decoder = new OpusDecoder();
        int written = 0;
        for (int f = 0; f < Frames; f++)
        {
            int length = encoder.Encode(input.AsSpan(f * AudioFormat.SamplesPerFrame, AudioFormat.SamplesPerFrame), packet);
            Assert.InRange(length, 2, OpusEncoder.MaxPacketSize);
            int samples = decoder.Decode(packet.AsSpan(0, length), output.AsSpan(written));
            Assert.Equal(AudioFormat.SamplesPerFrame, samples);
            written += samples;
        }

        // Skip the encoder's start-up; 0.5 s is 500 whole periods of 1 kHz.
        var tail = output.AsSpan(output.Length - AudioFormat.SampleRate / 2);
        double tone = Power(tail, 1000);
        foreach (int other in new[] { 250, 500, 1500, 2000, 3000 })
        {
            Assert.True(tone > 100 * Power(tail, other), $"1 kHz not dominant over {other} Hz");
        }
        // Level survives: a 10 000 amplitude sine has RMS ~7071.
        double rms = Math.Sqrt(tail.ToArray().Average(s => (double)s * s));
        Assert.InRange(rms, 5000, 9000);
    }

    [Fact]
    public void ConcealmentReturnsOneFrameContinuingTheTone()
    {
        short[] input = Sine(1000, 10 * AudioFormat.SamplesPerFrame);
        var packet = new byte[OpusEncoder.MaxPacketSize];
        var pcm = new short[OpusDecoder.MaxSamplesPerPacket];
        using var encoder = new OpusEncoder();
        using var decoder = new OpusDecoder();
        for (int f = 0; f < 10; f++)
        {
            int length = encoder.Encode(input.AsSpan(f * AudioFormat.SamplesPerFrame, AudioFormat.SamplesPerFrame), packet);
            decoder.Decode(packet.AsSpan(0, length), pcm);
        }

        Array.Clear(pcm);
        int concealed = decoder.DecodeLost(pcm);
        Assert.Equal(AudioFormat.SamplesPerFrame, concealed);
        var lost = pcm.AsSpan(0, concealed);
        Assert.True(Power(lost, 1000) > 10 * Power(lost, 3000), "concealment does not continue the tone");
    }

    [Fact]
    public void ConcealmentBeforeAnyPacketGivesOneFrame()
    {
        using var decoder = new OpusDecoder();
        var pcm = new short[AudioFormat.SamplesPerFrame];
        Assert.Equal(AudioFormat.SamplesPerFrame, decoder.DecodeLost(pcm));
    }

    [Fact]
    public void MalformedOpusPacketReturnsAnError()
    {
        using var decoder = new OpusDecoder();
        var pcm = new short[OpusDecoder.MaxSamplesPerPacket];
        // RFC 6716 section 3.2.5: code 3 with a frame count of 0 is invalid.
        Assert.True(decoder.Decode([0x03, 0x00], pcm) < 0);
        // A packet too long for the buffer is refused, not overrun.
        using var encoder = new OpusEncoder();
        var packet = new byte[OpusEncoder.MaxPacketSize];
        int length = encoder.Encode(new short[AudioFormat.SamplesPerFrame], packet);
        Assert.True(decoder.Decode(packet.AsSpan(0, length), new short[100]) < 0);
    }

    [Fact]
    public void HigherOpusBitrateGivesLargerPackets()
    {
        var noise = new short[AudioFormat.SamplesPerFrame];
        var random = new Random(5);
        var packet = new byte[OpusEncoder.MaxPacketSize];
        using var encoder = new OpusEncoder(16000);
        int Total()
        {
            int sum = 0;
            for (int f = 0; f < 25; f++)
            {
                for (int i = 0; i < noise.Length; i++) noise[i] = (short)random.Next(-8000, 8000);
                sum += encoder.Encode(noise, packet);
            }
            return sum;
        }
        int low = Total();
        encoder.SetBitrate(96000);
        int high = Total();
        Assert.True(high > 2 * low, $"{low} bytes at 16 kbps, {high} bytes at 96 kbps");
    }
}
