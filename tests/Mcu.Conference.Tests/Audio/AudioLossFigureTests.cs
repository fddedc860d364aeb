using Mcu.Conference.Receive;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Rtc.Packetization;
using Mcu.Rtc.Rtp;
using Xunit.Abstractions;

namespace Mcu.Conference.Tests.Audio;

/// <summary>Real Opus (libopus) through the receive buffer: 20 % random loss with and without RED + FEC; a DTX sender.</summary>
public class AudioLossFigureTests(ITestOutputHelper output)
{
    private const int Opus = 111;
    private const int Red = 63;
    private const int Frame = AudioFormat.SamplesPerFrame;
    private const int Frames = 500; // 10 s

    private static void Tone(Span<short> pcm, long first)
    {
        for (int i = 0; i < pcm.Length; i++)
        {
            double t = (double)(first + i) / AudioFormat.SampleRate;
            pcm[i] = (short)(8000 * Math.Sin(2 * Math.PI * 500 * t) * (0.7 + 0.3 * Math.Sin(2 * Math.PI * 2 * t)));
        }
    }

    /// <summary>Sends 10 s of a tone with 20 % of packets lost (seeded); returns the receiver's figures and the played level.</summary>
    private (double Concealed, double RmsDb, AudioReceiver Receiver) Run(bool recovery, double loss)
    {
        using var encoder = new OpusEncoder();
        encoder.SetFec(recovery ? 20 : 0);
        var receiver = new AudioReceiver(Opus, null, null, redPayloadType: recovery ? Red : null, lossRecovery: recovery);
        var red = new RedEncoder(Opus);
        var random = new Random(16);
        var pcm = new short[Frame];
        var packet = new byte[OpusEncoder.MaxPacketSize];
        var redPacket = new byte[RedEncoder.MaxLength(OpusEncoder.MaxPacketSize)];
        var rtp = new byte[1500];
        var played = new short[Frame];
        double energy = 0;
        long samples = 0;
        for (int f = 0; f < Frames; f++)
        {
            Tone(pcm, (long)f * Frame);
            int length = encoder.Encode(pcm, packet);
            var payload = packet.AsSpan(0, length);
            if (recovery)
            {
                length = red.Encode(payload, (uint)(f * Frame), redPacket);
                payload = redPacket.AsSpan(0, length);
            }
            if (random.NextDouble() >= loss)
            {
                int header = new RtpHeader { PayloadType = (byte)(recovery ? Red : Opus), SequenceNumber = (ushort)f, Timestamp = (uint)(f * Frame), Ssrc = 5 }.WriteTo(rtp);
                payload.CopyTo(rtp.AsSpan(header));
                Assert.True(RtpPacket.TryParse(rtp.AsSpan(0, header + payload.Length), out var parsed));
                receiver.OnRtp(parsed);
            }
            if (receiver.TryReadFrame(played) && f > 50)
            {
                foreach (short s in played)
                {
                    energy += (double)s * s;
                }
                samples += Frame;
            }
        }
        double concealed = (double)receiver.FramesConcealed / Frames;
        return (concealed, 10 * Math.Log10(energy / Math.Max(samples, 1)), receiver);
    }

    [Fact]
    public void At_20_percent_loss_red_and_fec_leave_at_most_2_percent_concealed_and_keep_the_level()
    {
        var (cleanConcealed, cleanDb, clean) = Run(recovery: true, loss: 0);
        var (withConcealed, withDb, with) = Run(recovery: true, loss: 0.2);
        var (withoutConcealed, withoutDb, without) = Run(recovery: false, loss: 0.2);
        output.WriteLine($"lossless: concealed {cleanConcealed:P1}, level {cleanDb:F2} dB");
        output.WriteLine($"20 % loss, RED + FEC: concealed {withConcealed:P1}, RED {with.FramesRecoveredByRed}, FEC {with.FramesRecoveredByFec}, level {withDb - cleanDb:+0.00;-0.00} dB");
        output.WriteLine($"20 % loss, neither:   concealed {withoutConcealed:P1}, level {withoutDb - cleanDb:+0.00;-0.00} dB");
        Assert.Equal(0, cleanConcealed);
        Assert.True(withConcealed <= 0.02, $"{withConcealed:P1} concealed with RED + FEC");
        Assert.InRange(withDb - cleanDb, -1, 1);
        Assert.True(withoutConcealed > 0.12, $"{withoutConcealed:P1} concealed without recovery");
        clean.Dispose();
        with.Dispose();
        without.Dispose();
    }

    [Fact]
    public void A_silent_dtx_sender_sends_a_packet_per_400_ms_at_most_and_costs_no_decode()
    {
        using var encoder = new OpusEncoder();
        encoder.SetDtx(true);
        using var receiver = new AudioReceiver(Opus, null);
        var silence = new short[Frame];
        var packet = new byte[OpusEncoder.MaxPacketSize];
        var rtp = new byte[1500];
        var played = new short[Frame];
        ushort seq = 0;
        int sent = 0, heard = 0;
        var gate = new OpusDtxGate();
        for (int f = 0; f < 250; f++) // 5 s
        {
            int length = encoder.Encode(silence, packet);
            if (gate.ShouldSend(packet.AsSpan(0, length)))
            {
                int header = new RtpHeader { PayloadType = Opus, SequenceNumber = seq++, Timestamp = (uint)(f * Frame), Ssrc = 5 }.WriteTo(rtp);
                packet.AsSpan(0, length).CopyTo(rtp.AsSpan(header));
                Assert.True(RtpPacket.TryParse(rtp.AsSpan(0, header + length), out var parsed));
                receiver.OnRtp(parsed);
                sent += f >= 50 ? 1 : 0;
            }
            if (f == 50)
            {
                Assert.True(receiver.FramesDecoded <= 50);
            }
            heard += receiver.TryReadFrame(played) && f >= 50 ? 1 : 0;
        }
        long decodedLater = receiver.FramesDecoded;
        output.WriteLine($"silent DTX sender: {sent} packets in the last 4 s, {heard} frames mixed, {receiver.FramesDecoded} decoded, {receiver.FramesSilent} silent, {receiver.FramesConcealed} concealed");
        Assert.True(sent <= 4000 / 400, $"{sent} packets in 4 s of silence");
        Assert.Equal(0, receiver.FramesConcealed);
        Assert.True(heard <= 2, $"{heard} frames of a silent sender took a mix slot");
        Assert.True(decodedLater <= 30, $"{decodedLater} frames decoded");
    }
}
