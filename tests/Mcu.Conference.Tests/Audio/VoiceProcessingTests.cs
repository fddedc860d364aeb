using Mcu.Conference.Receive;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Rtc.Rtp;

namespace Mcu.Conference.Tests.Audio;

/// <summary>Noise suppression on a participant's decoded audio before the mix, switched on and off while it plays.</summary>
public class VoiceProcessingTests
{
    private const int Frame = AudioFormat.SamplesPerFrame;

    /// <summary>Decodes every packet to the same white noise frame (a fan, say).</summary>
    private sealed class NoiseDecoder : IAudioFrameDecoder
    {
        private readonly short[] _noise = new short[Frame];

        public NoiseDecoder()
        {
            var random = new Random(4);
            for (int i = 0; i < Frame; i++)
            {
                _noise[i] = (short)random.Next(-3000, 3000);
            }
        }

        public int Decode(ReadOnlySpan<byte> packet, Span<short> pcm)
        {
            _noise.CopyTo(pcm);
            return Frame;
        }

        public int DecodeLost(Span<short> pcm) => Decode([], pcm);

        public void Dispose()
        {
        }
    }

    [Fact]
    public void Noise_suppression_turned_on_takes_a_steady_noise_down_and_off_gives_it_back()
    {
        using var receiver = new AudioReceiver(111, null, new NoiseDecoder());
        var packet = new byte[20];
        var pcm = new short[Frame];
        ushort seq = 0;
        double Play(int frames)
        {
            double energy = 0;
            int counted = 0;
            for (int f = 0; f < frames; f++)
            {
                int header = new RtpHeader { PayloadType = 111, SequenceNumber = seq, Timestamp = seq * (uint)Frame, Ssrc = 3 }.WriteTo(packet);
                seq++;
                Assert.True(RtpPacket.TryParse(packet.AsSpan(0, header + 3), out var rtp));
                receiver.OnRtp(rtp);
                if (receiver.TryReadFrame(pcm) && f >= frames / 2)
                {
                    energy += pcm.Sum(s => (double)s * s);
                    counted += Frame;
                }
            }
            return 10 * Math.Log10(energy / Math.Max(counted, 1));
        }

        Play(2); // the buffer's hold-back
        double raw = Play(100);
        receiver.SetVoiceProcessing(noiseSuppression: true, autoGain: false);
        double suppressed = Play(200);
        Assert.False(receiver.VoiceActive);
        receiver.SetVoiceProcessing(noiseSuppression: false, autoGain: false);
        double back = Play(100);
        Assert.True(raw - suppressed >= 10, $"noise {raw:F1} dB, suppressed {suppressed:F1} dB");
        Assert.InRange(back - raw, -0.5, 0.5);
    }
}
