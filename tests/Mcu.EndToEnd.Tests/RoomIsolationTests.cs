using Mcu.Conference.Receive;
using Mcu.Conference.Rooms;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests;

/// <summary>
/// Every room shares the one UDP socket and its receive loop: a room whose participant is
/// slow to decode (200 ms a frame, audio and video) must cost only that room. Beside it,
/// the two participants of another room keep full frame rate, hear each other, and their
/// room's audio clock stays on time.
/// </summary>
public sealed class RoomIsolationTests : IClassFixture<ServerFixture>
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    private readonly ServerFixture _server;

    public RoomIsolationTests(ServerFixture server) => _server = server;

    /// <summary>The real decoders, each call held up by <see cref="Delay"/>.</summary>
    private sealed class SlowDecoders(TimeSpan delay) : DecoderFactory
    {
        private long _videoCalls;
        private long _audioCalls;

        public TimeSpan Delay => delay;

        public long VideoCalls => Interlocked.Read(ref _videoCalls);

        public long AudioCalls => Interlocked.Read(ref _audioCalls);

        public override IVideoFrameDecoder CreateVideo(VideoCodec codec, int maxWidth, int maxHeight) =>
            new SlowVideo(base.CreateVideo(codec, maxWidth, maxHeight), this);

        public override IAudioFrameDecoder CreateAudio() => new SlowAudio(base.CreateAudio(), this);

        private sealed class SlowVideo(IVideoFrameDecoder inner, SlowDecoders owner) : IVideoFrameDecoder
        {
            public VideoFrame? Decode(ReadOnlySpan<byte> encodedFrame, long timestampMicros, out string? error)
            {
                Interlocked.Increment(ref owner._videoCalls);
                Thread.Sleep(owner.Delay);
                return inner.Decode(encodedFrame, timestampMicros, out error);
            }

            public void Dispose() => inner.Dispose();
        }

        private sealed class SlowAudio(IAudioFrameDecoder inner, SlowDecoders owner) : IAudioFrameDecoder
        {
            public int Decode(ReadOnlySpan<byte> packet, Span<short> pcm)
            {
                Interlocked.Increment(ref owner._audioCalls);
                Thread.Sleep(owner.Delay);
                return inner.Decode(packet, pcm);
            }

            public int DecodeLost(Span<short> pcm)
            {
                Interlocked.Increment(ref owner._audioCalls);
                Thread.Sleep(owner.Delay);
                return inner.DecodeLost(pcm);
            }

            public void Dispose() => inner.Dispose();
        }
    }

    [Fact]
    public async Task A_participant_decoding_200_ms_a_frame_slows_only_their_own_room()
    {
        var rooms = _server.Services.GetRequiredService<RoomDirectory>();
        var slow = new SlowDecoders(TimeSpan.FromMilliseconds(200));
        Assert.True(rooms.TryCreate("slow-room", new RoomOptions { Decoders = slow }, out var slowRoom));
        using var http = _server.CreateClient();
        // The bots count frames without decoding them: the machine's two cores go to the server.
        await using var red = await Join(http, "quick-room", "red", (220, 40, 40), 500);
        await using var blue = await Join(http, "quick-room", "blue", (40, 40, 220), 900);
        Assert.True(rooms.TryGet("quick-room", out var quickRoom));
        await Eventually.Get(() => Task.FromResult(Math.Min(red.ReceivedFps(TimeSpan.FromSeconds(2)), blue.ReceivedFps(TimeSpan.FromSeconds(2)))),
            fps => fps >= 25, TimeSpan.FromSeconds(20), "the quick room at full rate");

        await using var sluggard = await Join(http, "slow-room", "sluggard", (40, 200, 40), 700);
        // The slow room is slow: both its decoders busy, its audio clock behind.
        await Eventually.Get(() => Task.FromResult((slow.AudioCalls, slow.VideoCalls, slowRoom.AudioClock.LateTicks)),
            seen => seen.AudioCalls >= 5 && seen.VideoCalls >= 5 && seen.LateTicks >= 5,
            TimeSpan.FromSeconds(20), "the slow room's decoders at work and its audio clock behind");

        // Judged over a window of 5 s; a window spoiled by something else on the machine (the
        // other room is not the only load) is measured again, twice at most. Today's main fails each.
        var windows = new List<string>();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var (fine, seen) = await MeasureWindow(quickRoom, red, blue, slow);
            windows.Add(seen);
            if (fine)
            {
                return;
            }
        }
        Assert.Fail("beside the slow room, the quick room should keep ≥ 29 fps, each hearing the other, its audio on time; "
            + "seen in each window: " + string.Join(" | ", windows));
    }

    private async Task<ParticipantBot> Join(HttpClient http, string room, string name, (byte, byte, byte) colour, double tone) =>
        await ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, $"/api/rooms/{room}/whip?name={name}"),
            new BotOptions { Name = name, Colour = colour, ToneHz = tone, DecodeVideo = false, BearerToken = ServerFixture.AdminKey });

    /// <summary>One window: both quick-room bots ≥ 29 fps, hearing each other, their room's audio ticks and audio input on time.</summary>
    private static async Task<(bool Fine, string Seen)> MeasureWindow(Room quickRoom, ParticipantBot red, ParticipantBot blue, SlowDecoders slow)
    {
        long lateBefore = quickRoom.AudioClock.LateTicks, ticksBefore = quickRoom.AudioClock.Ticks;
        long concealedBefore = Concealed(quickRoom);
        long slowAudioBefore = slow.AudioCalls, slowVideoBefore = slow.VideoCalls;
        await Task.Delay(Window);

        long slowAudio = slow.AudioCalls - slowAudioBefore, slowVideo = slow.VideoCalls - slowVideoBefore;
        double redFps = red.ReceivedFps(Window), blueFps = blue.ReceivedFps(Window);
        double redHears = Signals.ToneDb(red.RecentAudio(), 900), blueHears = Signals.ToneDb(blue.RecentAudio(), 500);
        long ticks = quickRoom.AudioClock.Ticks - ticksBefore;
        long late = quickRoom.AudioClock.LateTicks - lateBefore;
        long concealed = Concealed(quickRoom) - concealedBefore;
        string seen = $"slow decodes audio {slowAudio} video {slowVideo}; red {redFps:F1} fps hearing blue at {redHears:F0} dB, "
            + $"blue {blueFps:F1} fps hearing red at {blueHears:F0} dB; quick room: {ticks} audio ticks, {late} late, {concealed} frames concealed";
        // Still slow all along, not a slow start that ended: about 5 decodes a second each.
        Assert.True(slowAudio >= 10 && slowVideo >= 10, "the slow room stayed slow: " + seen);
        bool fine = redFps >= 29 && blueFps >= 29
            && redHears > -40 && blueHears > -40
            // 250 ticks of 20 ms; a tick that starts over 10 ms late is late.
            && ticks >= 240 && late <= ticks / 50
            // Audio that reaches the room late is concealed: a stalled receive loop shows here first.
            && concealed <= ticks / 50;
        return (fine, seen);
    }

    private static long Concealed(Room room) => room.Participants.Sum(p => p.GetStats().AudioFramesConcealed);
}
