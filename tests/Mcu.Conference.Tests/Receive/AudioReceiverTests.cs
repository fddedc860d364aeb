using Mcu.Conference.Receive;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Rtc.Rtp;

namespace Mcu.Conference.Tests.Receive;

/// <summary>
/// One participant's audio: the receive loop (which serves every room) only stores packets,
/// the room's tick decodes them outside the lock, and what the buffer cannot use is counted.
/// </summary>
public class AudioReceiverTests
{
    private const int PayloadType = 111;

    /// <summary>Notes the first byte of each packet it decodes; can be made to wait inside a decode.</summary>
    private sealed class FakeDecoder : IAudioFrameDecoder
    {
        public List<byte> Decoded { get; } = [];

        public int Concealed { get; private set; }

        public ManualResetEventSlim? Gate { get; init; }

        public ManualResetEventSlim Entered { get; } = new();

        public int Decode(ReadOnlySpan<byte> packet, Span<short> pcm)
        {
            Decoded.Add(packet[0]);
            Entered.Set();
            Gate?.Wait();
            pcm[..AudioFormat.SamplesPerFrame].Fill(packet[0]);
            return AudioFormat.SamplesPerFrame;
        }

        public int DecodeLost(Span<short> pcm)
        {
            Concealed++;
            pcm[..AudioFormat.SamplesPerFrame].Clear();
            return AudioFormat.SamplesPerFrame;
        }

        public void Dispose()
        {
        }
    }

    private static void Receive(AudioReceiver receiver, ushort sequence, byte marker = 0)
    {
        var packet = new byte[12 + 80];
        int header = new RtpHeader { PayloadType = PayloadType, SequenceNumber = sequence, Timestamp = sequence * 960u, Ssrc = 77 }.WriteTo(packet);
        packet.AsSpan(header).Fill(marker == 0 ? (byte)sequence : marker);
        Assert.True(RtpPacket.TryParse(packet, out var rtp));
        receiver.OnRtp(rtp);
    }

    [Fact]
    public void Packets_are_decoded_in_sequence_order_on_the_tick()
    {
        var decoder = new FakeDecoder();
        using var receiver = new AudioReceiver(PayloadType, null, decoder);
        Receive(receiver, 0);
        Receive(receiver, 2);
        Receive(receiver, 1);
        Receive(receiver, 3);
        Assert.Empty(decoder.Decoded); // the receive loop decodes nothing

        var pcm = new short[AudioFormat.SamplesPerFrame];
        for (int i = 0; i < 4; i++)
        {
            Assert.True(receiver.TryReadFrame(pcm));
            Assert.Equal(i, pcm[0]);
        }
        Assert.Equal(new byte[] { 0, 1, 2, 3 }, decoder.Decoded);
        Assert.Equal(0, receiver.PacketsDropped);
    }

    [Fact]
    public async Task The_receive_loop_stores_packets_while_the_tick_is_inside_a_decode_that_blocks()
    {
        using var gate = new ManualResetEventSlim(false);
        var decoder = new FakeDecoder { Gate = gate };
        using var receiver = new AudioReceiver(PayloadType, null, decoder);
        try
        {
            Receive(receiver, 0);
            Receive(receiver, 1);
            var tick = Task.Run(() => receiver.TryReadFrame(new short[AudioFormat.SamplesPerFrame]));
            Assert.True(decoder.Entered.Wait(TimeSpan.FromSeconds(5)), "the tick reached the decoder");

            // The tick is stuck in the decoder: the receive loop must not wait for it.
            var loop = Task.Run(() =>
            {
                for (ushort seq = 2; seq < 20; seq++)
                {
                    Receive(receiver, seq);
                }
            });
            Assert.True(await Task.WhenAny(loop, Task.Delay(TimeSpan.FromSeconds(5))) == loop, "the receive loop waited behind a decode");
            Assert.Equal(20, receiver.PacketsReceived);

            gate.Set();
            Assert.True(await tick);
        }
        finally
        {
            gate.Set();
        }
    }

    [Fact]
    public void A_flood_is_dropped_and_counted_not_buffered()
    {
        var decoder = new FakeDecoder();
        using var receiver = new AudioReceiver(PayloadType, null, decoder);
        // A thousand packets with no tick between them: the buffer holds 32, starting over past that.
        for (int seq = 0; seq < 1000; seq++)
        {
            Receive(receiver, (ushort)seq, marker: 1);
        }
        Assert.Equal(1000, receiver.PacketsReceived);
        Assert.Equal(992, receiver.PacketsDropped);
        Assert.Empty(decoder.Decoded);

        // What is left plays: the newest eight.
        var pcm = new short[AudioFormat.SamplesPerFrame];
        for (int i = 0; i < 8; i++)
        {
            Assert.True(receiver.TryReadFrame(pcm));
        }
        Assert.Equal(8, decoder.Decoded.Count);
        Assert.Equal(0, decoder.Concealed);
    }

    [Fact]
    public void A_buffer_grown_too_deep_is_trimmed_and_a_packet_after_its_time_is_dropped_both_counted()
    {
        var decoder = new FakeDecoder();
        using var receiver = new AudioReceiver(PayloadType, null, decoder);
        for (ushort seq = 0; seq < 20; seq++)
        {
            Receive(receiver, seq);
        }

        var pcm = new short[AudioFormat.SamplesPerFrame];
        Assert.True(receiver.TryReadFrame(pcm));
        // 20 deep: trimmed to the newest 8, the oldest 12 counted; the first played is 12.
        Assert.Equal(12, receiver.PacketsDropped);
        Assert.Equal(new byte[] { 12 }, decoder.Decoded);

        Receive(receiver, 5); // its time is past
        Assert.Equal(13, receiver.PacketsDropped);
    }
}
