using System.Diagnostics;
using System.Net;
using Mcu.Conference.Layouts;
using Mcu.Conference.Mixing;
using Mcu.Conference.Recording;
using Mcu.Conference.Rooms;
using Mcu.Conference.Send;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Rtc.Packetization;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Sdp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Mcu.Conference.Tests.Rooms;

/// <summary>
/// A whole room without sockets or threads of its own: bots send real Opus and VP8 into their
/// participants the way the receive path does, the room is ticked on a simulated clock, and
/// what comes out is decoded — each participant's audio and a recording of the canvas.
/// </summary>
public class RoomTickTests(ITestOutputHelper output)
{
    private const int Seconds = 10;
    private const int VideoEveryMs = 100;

    private static string LayoutsFolder => Path.Combine(AppContext.BaseDirectory, "layouts");

    private static string Offer => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "corpus", "sdp", "chromium-156-sendrecv-offer.sdp"));

    /// <summary>A bot: a tone and a plain colour, as real RTP.</summary>
    private sealed class Bot : IDisposable
    {
        private readonly OpusEncoder _opus = new();
        private readonly short[] _pcm = new short[960];
        private readonly byte[] _packet = new byte[1500];
        private readonly byte[] _opusPacket = new byte[OpusEncoder.MaxPacketSize];
        private readonly byte[] _keyframe;
        private readonly Vp8Packetizer _packetizer = new(1100);
        private readonly uint _audioSsrc;
        private readonly uint _videoSsrc;
        private ushort _audioSequence = 1;
        private ushort _videoSequence = 1;
        private uint _audioTimestamp;
        private uint _videoTimestamp;
        private long _sample;

        public Bot(string id, double hertz, (byte Y, byte U, byte V) colour, uint ssrc)
        {
            Id = id;
            Hertz = hertz;
            Colour = colour;
            _audioSsrc = ssrc;
            _videoSsrc = ssrc + 1;
            using var encoder = new VideoEncoder(VideoCodec.Vp8, 320, 180, 30, 300);
            var picture = VideoFrame.Create(320, 180);
            picture.Fill(colour.Y, colour.U, colour.V);
            byte[]? keyframe = null;
            encoder.Encode(picture, true, (data, _, _) => keyframe = data.ToArray());
            picture.Release();
            _keyframe = keyframe!;
        }

        public string Id { get; }

        public double Hertz { get; }

        public (byte Y, byte U, byte V) Colour { get; }

        public Participant Participant { get; set; } = null!;

        /// <summary>The next 20 ms of the tone, as one Opus packet.</summary>
        public void SendAudio()
        {
            for (int i = 0; i < _pcm.Length; i++, _sample++)
            {
                _pcm[i] = (short)(6000 * Math.Sin(2 * Math.PI * Hertz * _sample / 48_000));
            }
            int length = _opus.Encode(_pcm, _opusPacket);
            Send(111, _audioSequence++, _audioTimestamp, _audioSsrc, _opusPacket.AsSpan(0, length), marker: true);
            _audioTimestamp += 960;
        }

        /// <summary>The colour again, as a VP8 keyframe.</summary>
        public void SendVideo()
        {
            var payload = new byte[1200];
            _packetizer.Begin(_keyframe);
            while (_packetizer.TryNext(payload, out int length, out bool marker))
            {
                Send(96, _videoSequence++, _videoTimestamp, _videoSsrc, payload.AsSpan(0, length), marker);
            }
            _videoTimestamp += 90 * VideoEveryMs;
        }

        private void Send(int payloadType, ushort sequence, uint timestamp, uint ssrc, ReadOnlySpan<byte> payload, bool marker)
        {
            int header = new RtpHeader { PayloadType = (byte)payloadType, SequenceNumber = sequence, Timestamp = timestamp, Ssrc = ssrc, Marker = marker }.WriteTo(_packet);
            payload.CopyTo(_packet.AsSpan(header));
            Participant.OnRtp(null!, _packet.AsSpan(0, header + payload.Length));
        }

        public void Dispose() => _opus.Dispose();
    }

    /// <summary>Decodes the mix one participant is sent.</summary>
    private sealed class Listener
    {
        private readonly OpusDecoder _decoder = new();
        private readonly short[] _pcm = new short[OpusDecoder.MaxSamplesPerPacket];

        public List<short> Heard { get; } = [];

        public void OnPacket(ReadOnlySpan<byte> opus, long mediaMicros)
        {
            int samples = _decoder.Decode(opus, _pcm);
            Heard.AddRange(_pcm.AsSpan(0, samples));
        }
    }

    /// <summary>Keeps the H.264 of the canvas from its newest keyframe on.</summary>
    private sealed class CanvasRecorder : IRoomRecorder
    {
        public OutputTier Tier => OutputTier.Low;

        public List<byte[]> SinceKeyframe { get; } = [];

        public bool WantsKeyframe => SinceKeyframe.Count == 0;

        public void OnVideo(ReadOnlySpan<byte> annexB, bool keyframe, long mediaMicros)
        {
            if (keyframe)
            {
                SinceKeyframe.Clear();
            }
            if (keyframe || SinceKeyframe.Count > 0)
            {
                SinceKeyframe.Add(annexB.ToArray());
            }
        }

        public void OnAudio(ReadOnlySpan<short> pcm, long mediaMicros)
        {
        }
    }

    [Fact]
    public void Three_bots_on_a_simulated_clock_each_hear_the_others_not_themselves_and_are_seen_in_their_tiles()
    {
        var time = new FakeTimeProvider();
        var listeners = new Dictionary<string, Listener>();
        var options = new RoomOptions
        {
            Time = time,
            FramesPerSecond = 30,
            AudioOutputs = p => (listeners[p.Id] = new Listener()).OnPacket,
        };
        using var pacer = new VideoPacer(time, startThread: false);
        using var room = new Room("tick", options, new LayoutTemplateStore(LayoutsFolder), pacer, NullLogger.Instance, startClocks: false);
        var recorder = new CanvasRecorder();
        room.AddRecorder(recorder);
        Bot[] bots =
        [
            new("red", 440, (81, 90, 240), 1000),
            new("green", 1000, (145, 54, 34), 2000),
            new("blue", 2300, (41, 240, 110), 3000),
        ];
        var answerOptions = new AnswerOptions
        {
            IceUfrag = "srvU",
            IcePassword = "serverpassword0123456789",
            Fingerprint = new SdpFingerprint("sha-256", string.Join(':', Enumerable.Repeat("AB", 32))),
            Candidates = [new IPEndPoint(IPAddress.Loopback, 40000)],
        };
        uint ssrc = 100;
        foreach (var bot in bots)
        {
            var answer = SdpAnswerBuilder.Create(SessionDescription.Parse(Offer), answerOptions);
            bot.Participant = room.Join(bot.Id, bot.Id, ParticipantRole.Participant, answer, new LocalStreams(ssrc++, ssrc++, "mcu", "tick"));
            bot.Participant.OnStateChanged(null!, PeerState.Connected);
        }

        var wall = Stopwatch.StartNew();
        long nextAudioMs = 0, nextVideoMs = 0;
        while (room.NowMs < Seconds * 1000)
        {
            long nowMs = room.NowMs;
            if (nowMs >= nextAudioMs)
            {
                foreach (var bot in bots)
                {
                    bot.SendAudio();
                }
                nextAudioMs += 20;
            }
            if (nowMs >= nextVideoMs)
            {
                foreach (var bot in bots)
                {
                    long decoded = bot.Participant.GetStats().VideoFramesDecoded;
                    bot.SendVideo();
                    // A room made without its clocks has no decode threads either: the frame is decoded as it arrives.
                    Assert.True(bot.Participant.GetStats().VideoFramesDecoded > decoded, $"{bot.Id}'s frame decoded on arrival");
                }
                nextVideoMs += VideoEveryMs;
            }
            var untilTick = room.Tick();
            pacer.Drain(pacer.NowMs);
            long nowMicros = room.NowMicros;
            long nextMicros = Math.Min(nowMicros + untilTick.Ticks / 10, Math.Min(nextAudioMs, nextVideoMs) * 1000);
            if (nextMicros > nowMicros)
            {
                time.Advance(TimeSpan.FromTicks((nextMicros - nowMicros) * 10));
            }
        }
        wall.Stop();
        output.WriteLine($"{Seconds} s of room in {wall.ElapsedMilliseconds} ms of wall time ({Seconds * 1000.0 / wall.ElapsedMilliseconds:F1}x real time); " +
            $"audio ticks {room.AudioClock.Ticks} (late {room.AudioClock.LateTicks}, {room.AudioClock.AverageAllocatedBytes:F0} B/tick with the test's decoding listeners), " +
            $"video ticks {room.VideoClock.Ticks} (late {room.VideoClock.LateTicks}, {room.VideoClock.AverageAllocatedBytes:F0} B/tick)");

        Assert.Equal(Seconds * 1000 / 20, room.AudioClock.Ticks, 2.0);
        Assert.Equal(Seconds * 30, room.VideoClock.Ticks, 2.0);

        // Mix-minus: in the last 2 s each hears both others' tones and not their own.
        foreach (var bot in bots)
        {
            var heard = listeners[bot.Id].Heard;
            Assert.True(heard.Count >= 48_000 * 2, $"{bot.Id} was sent {heard.Count} samples");
            var tail = heard.GetRange(heard.Count - 48_000 * 2, 48_000 * 2).ToArray();
            double own = Power(tail, bot.Hertz);
            foreach (var other in bots.Where(b => b != bot))
            {
                double theirs = Power(tail, other.Hertz);
                output.WriteLine($"{bot.Id} hears {other.Id} at {10 * Math.Log10(theirs / Math.Max(own, 1e-9)):F0} dB over their own tone");
                Assert.True(theirs > 100 * own, $"{bot.Id} hears {other.Id} ({theirs:E2}) well above themselves ({own:E2})");
            }
        }

        // The canvas: each bot's colour in the middle of its tile.
        using var decoder = new VideoDecoder(VideoCodec.H264);
        VideoFrame? canvas = null;
        foreach (var unit in recorder.SinceKeyframe)
        {
            var picture = decoder.Decode(unit, 0, out string? error);
            Assert.Null(error);
            if (picture is not null)
            {
                canvas?.Release();
                canvas = picture;
            }
        }
        Assert.NotNull(canvas);
        var template = room.CurrentTemplate!;
        var tiles = LayoutArranger.Arrange(template, bots.Select(b => new LayoutMember(b.Id, b.Id)).ToList(), room.SpeakerId);
        Assert.Equal(bots.Length, tiles.Count);
        foreach (var bot in bots)
        {
            var tile = tiles.Single(t => t.ParticipantId == bot.Id);
            int x = (int)((tile.X + tile.Width / 2) * canvas.Width), y = (int)((tile.Y + tile.Height / 2) * canvas.Height);
            byte luma = canvas.Y[y * canvas.Width + x];
            byte u = canvas.U[y / 2 * canvas.ChromaWidth + x / 2], v = canvas.V[y / 2 * canvas.ChromaWidth + x / 2];
            output.WriteLine($"{bot.Id} tile at ({x},{y}): YUV {luma} {u} {v}, sent {bot.Colour}");
            Assert.InRange(luma, bot.Colour.Y - 20, bot.Colour.Y + 20);
            Assert.InRange(u, bot.Colour.U - 20, bot.Colour.U + 20);
            Assert.InRange(v, bot.Colour.V - 20, bot.Colour.V + 20);
        }
        canvas.Release();
        foreach (var bot in bots)
        {
            bot.Dispose();
        }
    }

    /// <summary>Power of <paramref name="hertz"/> in <paramref name="samples"/> at 48 kHz (Goertzel).</summary>
    private static double Power(short[] samples, double hertz)
    {
        double coefficient = 2 * Math.Cos(2 * Math.PI * hertz / 48_000), s1 = 0, s2 = 0;
        foreach (short sample in samples)
        {
            double s0 = sample + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        return (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / samples.Length;
    }
}
