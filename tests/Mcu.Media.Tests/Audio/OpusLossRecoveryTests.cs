using Mcu.Media.Codecs;
using Mcu.Media.Frames;

namespace Mcu.Media.Tests.Audio;

/// <summary>libopus through the shim: in-band FEC rebuilds a lost frame from the next packet; DTX goes quiet.</summary>
public class OpusLossRecoveryTests
{
    private const int Frame = AudioFormat.SamplesPerFrame;

    /// <summary>A voice-like test signal: a 220 Hz buzz with harmonics, its loudness swaying at 3 Hz.</summary>
    private static short[] Voice(int frames)
    {
        var pcm = new short[frames * Frame];
        for (int i = 0; i < pcm.Length; i++)
        {
            double t = (double)i / AudioFormat.SampleRate;
            double buzz = Math.Sin(2 * Math.PI * 220 * t) + 0.5 * Math.Sin(2 * Math.PI * 440 * t) + 0.25 * Math.Sin(2 * Math.PI * 880 * t);
            pcm[i] = (short)(6000 * buzz * (0.6 + 0.4 * Math.Sin(2 * Math.PI * 3 * t)));
        }
        return pcm;
    }

    private static List<byte[]> Encode(short[] pcm, OpusEncoder encoder)
    {
        var packets = new List<byte[]>();
        var packet = new byte[OpusEncoder.MaxPacketSize];
        for (int f = 0; f < pcm.Length / Frame; f++)
        {
            int length = encoder.Encode(pcm.AsSpan(f * Frame, Frame), packet);
            packets.Add(packet.AsSpan(0, length).ToArray());
        }
        return packets;
    }

    /// <summary>Decodes every packet, except that each lost one is rebuilt by <paramref name="recover"/>.</summary>
    private static short[] Decode(List<byte[]> packets, ISet<int> lost, Func<OpusDecoder, byte[], short[], int> recover)
    {
        using var decoder = new OpusDecoder();
        var output = new short[packets.Count * Frame];
        var pcm = new short[OpusDecoder.MaxSamplesPerPacket];
        for (int f = 0; f < packets.Count; f++)
        {
            int samples = lost.Contains(f) ? recover(decoder, packets[f + 1], pcm) : decoder.Decode(packets[f], pcm);
            Assert.Equal(Frame, samples);
            pcm.AsSpan(0, Frame).CopyTo(output.AsSpan(f * Frame));
        }
        return output;
    }

    /// <summary>Signal-to-error ratio of <paramref name="actual"/> against <paramref name="reference"/> over the lost frames, in dB.</summary>
    private static double SnrDb(short[] reference, short[] actual, IEnumerable<int> frames)
    {
        double signal = 0, error = 0;
        foreach (int f in frames)
        {
            for (int i = f * Frame; i < (f + 1) * Frame; i++)
            {
                signal += (double)reference[i] * reference[i];
                error += (double)(reference[i] - actual[i]) * (reference[i] - actual[i]);
            }
        }
        return 10 * Math.Log10(signal / Math.Max(error, 1));
    }

    [Fact]
    public void Fec_rebuilds_lost_frames_far_better_than_concealment()
    {
        short[] voice = Voice(150);
        using var encoder = new OpusEncoder();
        encoder.SetFec(20);
        var packets = Encode(voice, encoder);
        Assert.True(packets.Skip(5).Count(p => OpusDecoder.HasFec(p)) > packets.Count / 2, $"{packets.Skip(5).Count(p => OpusDecoder.HasFec(p))} of {packets.Count - 5} packets carry in-band FEC");

        // One in ten, never two in a row, where the next packet has FEC (SILK leaves it out of frames it finds unimportant).
        var lost = new HashSet<int>(Enumerable.Range(1, 14).Select(i => i * 10 + 3).Where(f => OpusDecoder.HasFec(packets[f + 1])));
        Assert.True(lost.Count >= 7, $"{lost.Count} lost frames have FEC after them");
        var clean = Decode(packets, new HashSet<int>(), (_, _, _) => 0);
        var fec = Decode(packets, lost, (d, next, pcm) => d.DecodeFec(next, pcm));
        var plc = Decode(packets, lost, (d, _, pcm) => d.DecodeLost(pcm));

        double fecSnr = SnrDb(clean, fec, lost), plcSnr = SnrDb(clean, plc, lost);
        Assert.True(fecSnr > 6 && fecSnr > plcSnr + 5, $"lost frames rebuilt at {fecSnr:F1} dB by FEC, {plcSnr:F1} dB by concealment");
    }

    [Fact]
    public void Without_fec_packets_carry_none_and_recovery_falls_back_to_concealment()
    {
        using var encoder = new OpusEncoder();
        encoder.SetFec(0);
        var packets = Encode(Voice(50), encoder);
        Assert.DoesNotContain(packets, p => OpusDecoder.HasFec(p));
        Assert.False(OpusDecoder.HasFec([]));
        Assert.False(OpusDecoder.HasFec([0xFC])); // CELT-only TOC: never FEC
    }

    [Fact]
    public void Dtx_sends_silence_as_tiny_packets_with_a_real_one_at_most_every_400_ms()
    {
        using var encoder = new OpusEncoder();
        encoder.SetDtx(true);
        var packets = Encode(new short[100 * Frame], encoder); // two seconds of silence
        var steady = packets.Skip(25).ToList();
        int real = steady.Count(p => p.Length > OpusEncoder.DtxPacketMaxSize);
        Assert.True(real <= steady.Count / 20 + 1, $"{real} of {steady.Count} silent packets are more than DTX");

        // And speech after silence comes back in full packets.
        var speech = Encode(Voice(10), encoder);
        Assert.All(speech.Skip(1), p => Assert.True(p.Length > 10));
    }

    [Fact]
    public void The_bitrate_changes_on_the_running_encoder()
    {
        short[] voice = Voice(50);
        using var encoder = new OpusEncoder(12000);
        int low = Encode(voice, encoder).Sum(p => p.Length);
        encoder.SetBitrate(64000);
        int high = Encode(voice, encoder).Sum(p => p.Length);
        Assert.True(high > 2 * low, $"{low} bytes at 12 kbps, {high} at 64 kbps");
    }
}
