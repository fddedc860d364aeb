using Mcu.Conference.Receive;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Rtc.Packetization;
using Mcu.Rtc.Rtp;

namespace Mcu.Conference.Tests.Audio;

/// <summary>
/// A participant's audio through the receive buffer with loss, RED, in-band FEC and DTX: what is
/// lost is rebuilt where the stream allows, the sender's silence is neither decoded nor concealed.
/// </summary>
public class AudioLossRecoveryTests
{
    private const int Opus = 111;
    private const int Red = 63;
    private const int Frame = AudioFormat.SamplesPerFrame;

    /// <summary>Decodes a packet to a frame filled with its first payload byte; FEC gives the byte minus one.</summary>
    private sealed class MarkingDecoder : IAudioFrameDecoder
    {
        public int Decodes { get; private set; }

        public int Decode(ReadOnlySpan<byte> packet, Span<short> pcm)
        {
            Decodes++;
            pcm[..Frame].Fill(packet[0]);
            return Frame;
        }

        public int DecodeLost(Span<short> pcm)
        {
            pcm[..Frame].Fill(-1);
            return Frame;
        }

        public int DecodeFec(ReadOnlySpan<byte> next, Span<short> pcm)
        {
            pcm[..Frame].Fill((short)(next[0] - 1));
            return Frame;
        }

        public void Dispose()
        {
        }
    }

    private static void Send(AudioReceiver receiver, int payloadType, ushort seq, uint timestamp, ReadOnlySpan<byte> payload)
    {
        var packet = new byte[12 + payload.Length];
        int header = new RtpHeader { PayloadType = (byte)payloadType, SequenceNumber = seq, Timestamp = timestamp, Ssrc = 9 }.WriteTo(packet);
        payload.CopyTo(packet.AsSpan(header));
        Assert.True(RtpPacket.TryParse(packet, out var rtp));
        receiver.OnRtp(rtp);
    }

    /// <summary>Plays <paramref name="ticks"/> frames: the first sample of each (null when nothing played).</summary>
    private static List<short?> Play(AudioReceiver receiver, int ticks)
    {
        var pcm = new short[Frame];
        var played = new List<short?>();
        for (int i = 0; i < ticks; i++)
        {
            played.Add(receiver.TryReadFrame(pcm) ? pcm[0] : null);
        }
        return played;
    }

    /// <summary>A payload the marking decoder recognises: 3 bytes of the frame's number (never a DTX size).</summary>
    private static byte[] Marked(int frame) => [(byte)frame, 0x80, 0];

    [Fact]
    public void A_lost_packet_is_rebuilt_from_the_copy_in_a_later_red_packet()
    {
        var decoder = new MarkingDecoder();
        using var receiver = new AudioReceiver(Opus, null, decoder, redPayloadType: Red);
        var red = new RedEncoder(Opus);
        var buffer = new byte[RedEncoder.MaxLength(3)];
        for (int f = 1; f <= 6; f++)
        {
            int length = red.Encode(Marked(f), (uint)(f * Frame), buffer);
            if (f is not (3 or 4)) // two in a row lost: the packet after them carries both
            {
                Send(receiver, Red, (ushort)f, (uint)(f * Frame), buffer.AsSpan(0, length));
            }
        }
        Assert.Equal(new short?[] { 1, 2, 3, 4, 5, 6 }, Play(receiver, 6));
        Assert.Equal(2, receiver.FramesRecoveredByRed);
        Assert.Equal(0, receiver.FramesConcealed);
    }

    [Fact]
    public void Without_red_copies_a_lost_frame_comes_from_the_next_packets_fec_else_it_is_concealed()
    {
        var decoder = new MarkingDecoder();
        using var receiver = new AudioReceiver(Opus, null, decoder);
        foreach (int f in new[] { 1, 2, 4, 7, 8 }) // 3 lost (FEC in 4), 5 and 6 lost (5 concealed, 6 from 7's FEC)
        {
            Send(receiver, Opus, (ushort)f, (uint)(f * Frame), Marked(f));
        }
        Assert.Equal(new short?[] { 1, 2, 3, 4, -1, 6, 7, 8 }, Play(receiver, 8));
        Assert.Equal(2, receiver.FramesRecoveredByFec);
        Assert.Equal(1, receiver.FramesConcealed);
    }

    [Fact]
    public void With_loss_recovery_off_red_copies_and_fec_go_unused()
    {
        var decoder = new MarkingDecoder();
        using var receiver = new AudioReceiver(Opus, null, decoder, redPayloadType: Red, lossRecovery: false);
        var red = new RedEncoder(Opus);
        var buffer = new byte[RedEncoder.MaxLength(3)];
        for (int f = 1; f <= 5; f++)
        {
            int length = red.Encode(Marked(f), (uint)(f * Frame), buffer);
            if (f != 3)
            {
                Send(receiver, Red, (ushort)f, (uint)(f * Frame), buffer.AsSpan(0, length));
            }
        }
        Assert.Equal(new short?[] { 1, 2, -1, 4, 5 }, Play(receiver, 5));
        Assert.Equal(1, receiver.FramesConcealed);
        Assert.Equal(0, receiver.FramesRecoveredByRed + receiver.FramesRecoveredByFec);
    }

    [Fact]
    public void A_dtx_gap_is_silence_neither_decoded_nor_concealed_and_speech_resumes_on_time()
    {
        var decoder = new MarkingDecoder();
        using var receiver = new AudioReceiver(Opus, null, decoder);
        ushort seq = 100;
        for (int f = 1; f <= 3; f++)
        {
            Send(receiver, Opus, seq++, (uint)(f * Frame), Marked(f));
        }
        Send(receiver, Opus, seq++, 4 * Frame, [0x78]); // DTX starts: a TOC-only packet, then nothing
        var played = Play(receiver, 4);
        Assert.Equal(new short?[] { 1, 2, 3, null }, played);
        Assert.All(Play(receiver, 20), p => Assert.Null(p));

        // Speech 25 frames on, with the next sequence number: the gap was silence, not loss.
        Send(receiver, Opus, seq++, 30 * Frame, Marked(30));
        Send(receiver, Opus, seq++, 31 * Frame, Marked(31));
        Assert.Equal(new short?[] { 30, 31 }, Play(receiver, 2));
        Assert.Equal(0, receiver.FramesConcealed);
        Assert.Equal(5, decoder.Decodes);
        Assert.True(receiver.FramesSilent >= 1);
    }

    [Fact]
    public void In_dtx_comfort_noise_without_voice_activity_is_not_decoded_but_a_hole_with_a_packet_missing_is_loss()
    {
        var decoder = new MarkingDecoder();
        using var receiver = new AudioReceiver(Opus, null, decoder);
        Send(receiver, Opus, 1, 1 * Frame, Marked(1));
        Send(receiver, Opus, 2, 2 * Frame, Marked(2));
        Send(receiver, Opus, 3, 3 * Frame, [0x78]);                 // DTX
        Assert.Equal(new short?[] { 1, 2, null }, Play(receiver, 3));
        Send(receiver, Opus, 4, 23 * Frame, [0x78, 0x05, 0x11]);    // comfort noise: SILK, voice activity 0
        Assert.All(Play(receiver, 5), p => Assert.Null(p));
        Assert.Equal(2, decoder.Decodes);

        // Speech resumes but its first packet (seq 5, frame 40) is lost: seq 6 at frame 41 carries FEC for it.
        Send(receiver, Opus, 6, 41 * Frame, Marked(41));
        Send(receiver, Opus, 7, 42 * Frame, Marked(42));
        Assert.Equal(new short?[] { 40, 41, 42 }, Play(receiver, 3));
        Assert.Equal(1, receiver.FramesRecoveredByFec);
        Assert.Equal(0, receiver.FramesConcealed);
    }

    [Fact]
    public void A_malformed_red_packet_is_dropped_and_counted()
    {
        using var receiver = new AudioReceiver(Opus, null, new MarkingDecoder(), redPayloadType: Red);
        Send(receiver, Red, 1, 960, [0x80 | Opus, 0, 0, 50, Opus, 1, 2]); // a 50-byte block in 2 bytes
        Send(receiver, Red, 2, 1920, [0]);                                 // the primary is not Opus
        Assert.Equal(2, receiver.PacketsDropped);
        Assert.All(Play(receiver, 3), p => Assert.Null(p));
    }
}
