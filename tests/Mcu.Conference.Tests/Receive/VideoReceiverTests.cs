using System.Buffers.Binary;
using Mcu.Conference.Receive;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Rtc.Packetization;
using Mcu.Rtc.Rtp;

namespace Mcu.Conference.Tests.Receive;

/// <summary>One participant's video path: the size limit before decoding, and a decode loop that outlives a throw.</summary>
public class VideoReceiverTests
{
    private const int PayloadType = 96;

    /// <summary>Decode threads as a room has them, shared by the tests (a receiver schedules itself once at a time).</summary>
    private static readonly VideoDecodePool Pool = new("tests");

    /// <summary>Counts calls; throws on the calls listed, else returns a small picture.</summary>
    private sealed class FakeDecoder(params int[] throwOnCalls) : IVideoFrameDecoder
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        /// <summary>When set, each decode waits for it: a decoder stuck on a frame.</summary>
        public ManualResetEventSlim? Gate { get; init; }

        public VideoFrame? Decode(ReadOnlySpan<byte> encodedFrame, long timestampMicros, out string? error)
        {
            error = null;
            int call = Interlocked.Increment(ref _calls);
            if (throwOnCalls.Contains(call))
            {
                throw new InvalidOperationException($"decoder bug on call {call}");
            }
            Gate?.Wait();
            return VideoFrame.Create(160, 96);
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Real VP8: a keyframe and delta frames of a 160x96 picture.</summary>
    private static readonly List<byte[]> Frames = Encode();

    private static List<byte[]> Encode()
    {
        var frames = new List<byte[]>();
        using var encoder = new VideoEncoder(VideoCodec.Vp8, 160, 96, 30, 300);
        var picture = VideoFrame.Create(160, 96);
        picture.Fill(120, 100, 160);
        for (int i = 0; i < 4; i++)
        {
            encoder.Encode(picture, i == 0, (data, _, _) => frames.Add(data.ToArray()));
        }
        picture.Release();
        return frames;
    }

    private sealed class Sender(VideoReceiver receiver, IRtpPacketizer? packetizer = null)
    {
        private readonly IRtpPacketizer _packetizer = packetizer ?? new Vp8Packetizer(1100);
        private ushort _sequence = 100;
        private uint _timestamp = 9000;

        public void Send(byte[] frame, long nowMs)
        {
            var payload = new byte[1200];
            var packet = new byte[1300];
            _packetizer.Begin(frame);
            while (_packetizer.TryNext(payload, out int length, out bool marker))
            {
                int header = new RtpHeader { PayloadType = PayloadType, SequenceNumber = _sequence++, Timestamp = _timestamp, Ssrc = 1234, Marker = marker }.WriteTo(packet);
                payload.AsSpan(0, length).CopyTo(packet.AsSpan(header));
                var span = packet.AsSpan(0, header + length);
                Assert.True(RtpPacket.TryParse(span, out var rtp));
                receiver.OnRtp(rtp, nowMs);
            }
            _timestamp += 3000;
        }
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        Assert.True(condition(), what);
    }

    [Fact]
    public async Task A_vp8_keyframe_declaring_16000x16000_is_refused_before_the_decoder_sees_it()
    {
        var decoder = new FakeDecoder();
        using var receiver = new VideoReceiver(VideoCodec.Vp8, PayloadType, (1920, 1080), decoder, Pool);
        var refused = new List<(int, int)>();
        receiver.PictureTooLarge += (w, h) => { lock (refused) refused.Add((w, h)); };
        var sender = new Sender(receiver);
        sender.Send(Frames[0], 0);
        await Until(() => receiver.FramesDecoded == 1, "the real keyframe decoded");

        byte[] huge = (byte[])Frames[0].Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(huge.AsSpan(6), 16000);
        BinaryPrimitives.WriteUInt16LittleEndian(huge.AsSpan(8), 16000);
        sender.Send(huge, 100);
        sender.Send(Frames[1], 133);   // its deltas are dropped too: they would need it
        sender.Send(huge, 166);

        Assert.Equal(2, receiver.PicturesTooLarge);
        Assert.Equal(1, decoder.Calls);
        // The held picture is dropped, so the room shows the placeholder, and a keyframe is asked for.
        Assert.Null(receiver.TakeLatest());
        receiver.CollectFeedback(1000, 50, new ushort[64], out bool keyframe);
        Assert.True(keyframe);
        lock (refused)
        {
            Assert.Equal([(16000, 16000)], refused); // once per refused run, not per keyframe
        }

        // A keyframe within the limit brings the picture back.
        sender.Send(Frames[0], 1100);
        await Until(() => receiver.FramesDecoded == 2, "the next good keyframe decoded");
        using var _ = new Releaser(receiver.TakeLatest());
        Assert.NotNull(_.Frame);

        // Alternating oversize and good keyframes: every refusal counted, announced at most once per 10 s.
        sender.Send(huge, 1200);
        Assert.Equal(3, receiver.PicturesTooLarge);
        lock (refused)
        {
            Assert.Single(refused);
        }
    }

    [Fact]
    public async Task A_decoder_that_throws_drops_the_frame_and_the_loop_decodes_the_next_keyframe()
    {
        var decoder = new FakeDecoder(throwOnCalls: 2);
        var receiver = new VideoReceiver(VideoCodec.Vp8, PayloadType, (1920, 1080), decoder, Pool);
        var failures = 0;
        receiver.DecodeFailed += _ => Interlocked.Increment(ref failures);
        var sender = new Sender(receiver);
        sender.Send(Frames[0], 0);
        await Until(() => receiver.FramesDecoded == 1, "the keyframe decoded");

        sender.Send(Frames[1], 33);    // the decoder throws on this one
        await Until(() => receiver.DecodeFailures == 1, "the failure counted");
        sender.Send(Frames[2], 66);    // a delta after a lost frame: skipped until a keyframe
        sender.Send(Frames[0], 100);
        sender.Send(Frames[1], 133);

        await Until(() => receiver.FramesDecoded >= 3, "the loop still decodes after the throw");
        Assert.Equal(1, failures);
        receiver.Dispose();             // the loop ended normally: nothing to rethrow
    }

    [Fact]
    public async Task While_the_decoder_is_stuck_the_receive_loop_drops_and_counts_frames_instead_of_waiting()
    {
        using var gate = new ManualResetEventSlim(false);
        var decoder = new FakeDecoder { Gate = gate };
        var receiver = new VideoReceiver(VideoCodec.Vp8, PayloadType, (1920, 1080), decoder, Pool);
        try
        {
            var sender = new Sender(receiver);
            sender.Send(Frames[0], 0);
            await Until(() => decoder.Calls == 1, "the decoder stuck on the keyframe");

            // A second of frames while it is stuck: the receive loop must go on at once.
            var loop = Task.Run(() =>
            {
                for (int i = 1; i <= 30; i++)
                {
                    sender.Send(Frames[1 + i % 3], 33 * i);
                }
            });
            Assert.True(await Task.WhenAny(loop, Task.Delay(TimeSpan.FromSeconds(5))) == loop, "the receive loop waited for the decoder");
            // Three wait in the queue; the fourth is dropped and counted, and the deltas after it,
            // which would reference it, are skipped until a keyframe, which is asked for.
            Assert.Equal(1, receiver.FramesDropped);
            receiver.CollectFeedback(1000, 50, new ushort[64], out bool keyframe);
            Assert.True(keyframe);

            gate.Set();
            await Until(() => receiver.FramesDecoded == 4, "the keyframe and the three queued decoded");
            sender.Send(Frames[0], 1100);
            await Until(() => receiver.FramesDecoded == 5, "the next keyframe decoded");
        }
        finally
        {
            gate.Set();
            receiver.Dispose();
        }
    }

    [Fact]
    public async Task A_sender_stuck_in_its_decoder_leaves_the_rooms_other_senders_a_decode_thread()
    {
        using var pool = new VideoDecodePool("room");
        using var gate = new ManualResetEventSlim(false);
        var stuckDecoder = new FakeDecoder { Gate = gate };
        var stuck = new VideoReceiver(VideoCodec.Vp8, PayloadType, (1920, 1080), stuckDecoder, pool);
        using var other = new VideoReceiver(VideoCodec.Vp8, PayloadType, (1920, 1080), new FakeDecoder(), pool);
        try
        {
            new Sender(stuck).Send(Frames[0], 0);
            await Until(() => stuckDecoder.Calls == 1, "the first sender stuck in its decoder");

            var sender = new Sender(other);
            for (int i = 0; i < 4; i++)
            {
                sender.Send(Frames[i], 33 * i);
                await Until(() => other.FramesDecoded == i + 1, $"the other sender's frame {i} decoded");
            }
        }
        finally
        {
            gate.Set();
            stuck.Dispose();
        }
    }

    /// <summary>An SPS (constrained baseline) declaring 16000x16000: 1000x1000 macroblocks.</summary>
    private static readonly byte[] HugeSps = [0x67, 0x42, 0xC0, 0x1F, 0xDA, 0x00, 0x3E, 0x80, 0x07, 0xD1, 0x90];

    [Fact]
    public async Task An_h264_keyframe_whose_sps_declares_16000x16000_is_refused_before_decoding()
    {
        byte[]? keyframe = null;
        using (var encoder = new VideoEncoder(VideoCodec.H264, 160, 96, 30, 300))
        {
            var picture = VideoFrame.Create(160, 96);
            picture.Fill(120, 100, 160);
            encoder.Encode(picture, true, (data, _, _) => keyframe ??= data.ToArray());
            picture.Release();
        }
        var decoder = new FakeDecoder();
        using var receiver = new VideoReceiver(VideoCodec.H264, PayloadType, (1920, 1080), decoder, Pool);
        var sender = new Sender(receiver, new H264Packetizer(1100));

        // The encoder's own SPS says 160x96: decoded.
        Assert.True(H264SpsSize.TryReadFromAccessUnit(keyframe, out int width, out int height));
        Assert.Equal((160, 96), (width, height));
        sender.Send(keyframe!, 0);
        await Until(() => receiver.FramesDecoded == 1, "the real keyframe decoded");

        // The same keyframe behind an SPS that declares 16000x16000: refused from the SPS.
        sender.Send([0, 0, 0, 1, .. HugeSps, .. keyframe!], 100);
        Assert.Equal(1, receiver.PicturesTooLarge);
        Assert.Equal(1, decoder.Calls);
    }

    private readonly struct Releaser(VideoFrame? frame) : IDisposable
    {
        public VideoFrame? Frame => frame;

        public void Dispose() => frame?.Release();
    }
}
