using Mcu.Conference.Rooms;
using Mcu.Media.Frames;
using Mcu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests;

/// <summary>
/// Bots made of our client role join one room, each showing a colour and playing a tone,
/// and each must receive one picture with everyone in the layout and one audio mix with
/// everyone but themselves.
/// </summary>
public sealed class ConferenceTests : IClassFixture<ServerFixture>
{
    private static readonly (string Name, (byte R, byte G, byte B) Colour, double Tone)[] People =
    [
        ("red", (220, 40, 40), 400),
        ("green", (40, 200, 40), 600),
        ("blue", (40, 40, 220), 800),
        ("yellow", (220, 220, 40), 1000),
    ];

    private readonly ServerFixture _server;

    public ConferenceTests(ServerFixture server) => _server = server;

    private Uri Whip(string room, string name) => new(_server.BaseAddress, $"/api/rooms/{room}/whip?name={name}");

    [Fact]
    public async Task Four_participants_each_see_everyone_in_the_grid_and_hear_everyone_but_themselves()
    {
        using var http = _server.CreateClient();
        var bots = new List<ParticipantBot>();
        try
        {
            foreach (var (name, colour, tone) in People)
            {
                bots.Add(await ParticipantBot.JoinAsync(http, Whip("four", name), new BotOptions { BearerToken = ServerFixture.AdminKey, Name = name, Colour = colour, ToneHz = tone }));
            }
            var room = Room("four");
            Assert.Equal("grid-4", room.CurrentTemplate!.Name);

            foreach (var bot in bots)
            {
                // grid-4 places people in join order: quarters left to right, top to bottom.
                var picture = await Eventually.Get(() => Task.FromResult(bot.LatestPicture()),
                    p => p is not null && People.Select((person, i) => Signals.Near(QuarterColour(p, i), person.Colour, 45)).All(ok => ok),
                    TimeSpan.FromSeconds(20), $"{bot.Name} seeing all four colours in their quarters");
                Assert.Equal(640, picture!.Width);

                var audio = await Eventually.Get(() => Task.FromResult(bot.RecentAudio()),
                    pcm => People.Where(p => p.Name != bot.Name).All(p => Signals.ToneDb(pcm, p.Tone) > -40),
                    TimeSpan.FromSeconds(10), $"{bot.Name} hearing the three others");
                var own = People.Single(p => p.Name == bot.Name);
                double loudestOther = People.Where(p => p.Name != bot.Name).Max(p => Signals.ToneDb(audio, p.Tone));
                double ownLevel = Signals.ToneDb(audio, own.Tone);
                Assert.True(ownLevel < loudestOther - 20, $"{bot.Name}: own tone {ownLevel:F1} dB vs loudest other {loudestOther:F1} dB");
            }

            // Everyone is on the same layout, tier and codec: one shared video encoder.
            Assert.Equal(1, room.VideoEncoderCount);
            // Everyone is audible: one full mix plus one mix-minus each.
            Assert.InRange(room.AudioEncodeCount, 1, 5);
        }
        finally
        {
            foreach (var bot in bots)
            {
                await bot.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Joining_and_leaving_relays_the_canvas_and_the_others_media_never_stops()
    {
        using var http = _server.CreateClient();
        await using var red = await ParticipantBot.JoinAsync(http, Whip("churn", "red"), new BotOptions { BearerToken = ServerFixture.AdminKey, Name = "red", Colour = People[0].Colour, ToneHz = People[0].Tone });
        await using var green = await ParticipantBot.JoinAsync(http, Whip("churn", "green"), new BotOptions { BearerToken = ServerFixture.AdminKey, Name = "green", Colour = People[1].Colour, ToneHz = People[1].Tone });
        var room = Room("churn");
        Assert.Equal("side-by-side", room.CurrentTemplate!.Name);
        await Eventually.Get(() => Task.FromResult(red.LatestPicture()),
            p => p is not null && Signals.Near(Signals.AverageColour(p, 0.75, 0.5), People[1].Colour, 45),
            TimeSpan.FromSeconds(20), "red seeing green on the right");

        var blue = await ParticipantBot.JoinAsync(http, Whip("churn", "blue"), new BotOptions { BearerToken = ServerFixture.AdminKey, Name = "blue", Colour = People[2].Colour, ToneHz = People[2].Tone });
        await Eventually.Get(() => Task.FromResult(red.LatestPicture()),
            p => p is not null && Signals.Near(QuarterColour(p, 2), People[2].Colour, 45),
            TimeSpan.FromSeconds(20), "red seeing blue join in the grid");
        Assert.Equal("grid-4", room.CurrentTemplate!.Name);

        long framesBefore = red.VideoFramesReceived;
        await blue.DisposeAsync();
        await Eventually.Get(() => Task.FromResult(room.Participants.Count), n => n == 2, TimeSpan.FromSeconds(5), "blue leaving");
        await Eventually.Get(() => Task.FromResult(red.LatestPicture()),
            p => p is not null && Signals.Near(Signals.AverageColour(p, 0.75, 0.5), People[1].Colour, 45),
            TimeSpan.FromSeconds(20), "the canvas going back to side by side");
        await Eventually.Get(() => Task.FromResult(red.VideoFramesReceived), n => n > framesBefore + 30,
            TimeSpan.FromSeconds(5), "red's video to keep coming after blue left");
        await Task.Delay(1000);
        double fps = red.ReceivedFps(TimeSpan.FromSeconds(1));
        Assert.True(fps >= 15, $"red receives {fps} fps");
    }

    [Fact]
    public async Task A_participant_offering_only_h264_gets_h264_and_a_vp8_one_gets_vp8()
    {
        using var http = _server.CreateClient();
        await using var vp8 = await ParticipantBot.JoinAsync(http, Whip("codecs", "vp8"), new BotOptions { BearerToken = ServerFixture.AdminKey, Name = "vp8", Colour = People[0].Colour, ToneHz = 500 });
        await using var h264 = await ParticipantBot.JoinAsync(http, Whip("codecs", "h264"),
            new BotOptions { BearerToken = ServerFixture.AdminKey, Name = "h264", Colour = People[2].Colour, ToneHz = 900, VideoCodec = Mcu.Rtc.Sdp.CodecKind.H264 });
        Assert.Equal(Mcu.Rtc.Sdp.CodecKind.H264, h264.Client.Answer.Video!.Codec);
        Assert.Equal(Mcu.Rtc.Sdp.CodecKind.Vp8, vp8.Client.Answer.Video!.Codec);
        foreach (var bot in new[] { vp8, h264 })
        {
            // side-by-side: the VP8 sender on the left, the H.264 sender on the right, in both codecs' pictures.
            await Eventually.Get(() => Task.FromResult(bot.LatestPicture()),
                p => p is not null && Signals.Near(Signals.AverageColour(p, 0.25, 0.5), People[0].Colour, 45)
                     && Signals.Near(Signals.AverageColour(p, 0.75, 0.5), People[2].Colour, 45),
                TimeSpan.FromSeconds(20), $"{bot.Name} decoding both participants");
        }
        Assert.Equal(2, Room("codecs").VideoEncoderCount);
    }

    [Fact]
    public async Task With_hide_self_each_participant_gets_a_canvas_without_their_own_tile()
    {
        var rooms = _server.Services.GetRequiredService<RoomDirectory>();
        Assert.True(rooms.TryCreate("mirrorless", new RoomOptions { HideSelf = true }, out _));
        using var http = _server.CreateClient();
        await using var red = await ParticipantBot.JoinAsync(http, Whip("mirrorless", "red"), new BotOptions { BearerToken = ServerFixture.AdminKey, Name = "red", Colour = People[0].Colour, ToneHz = 500 });
        await using var blue = await ParticipantBot.JoinAsync(http, Whip("mirrorless", "blue"), new BotOptions { BearerToken = ServerFixture.AdminKey, Name = "blue", Colour = People[2].Colour, ToneHz = 900 });
        // Each sees only the other, alone on a canvas laid out for one.
        await Eventually.Get(() => Task.FromResult(red.LatestPicture()),
            p => p is not null && Signals.Near(Signals.AverageColour(p, 0.25, 0.5), People[2].Colour, 45)
                 && Signals.Near(Signals.AverageColour(p, 0.75, 0.5), People[2].Colour, 45),
            TimeSpan.FromSeconds(20), "red seeing only blue");
        await Eventually.Get(() => Task.FromResult(blue.LatestPicture()),
            p => p is not null && Signals.Near(Signals.AverageColour(p, 0.5, 0.5), People[0].Colour, 45),
            TimeSpan.FromSeconds(20), "blue seeing only red");
        Assert.Equal(2, Room("mirrorless").VideoEncoderCount);
    }

    [Fact]
    public async Task A_participant_who_stops_sending_keeps_their_last_picture_then_shows_their_placeholder()
    {
        using var http = _server.CreateClient();
        await using var red = await ParticipantBot.JoinAsync(http, Whip("camera-off", "red"), new BotOptions { BearerToken = ServerFixture.AdminKey, Name = "red", Colour = People[0].Colour, ToneHz = 500 });
        await using var blue = await ParticipantBot.JoinAsync(http, Whip("camera-off", "blue"), new BotOptions { BearerToken = ServerFixture.AdminKey, Name = "blue", Colour = People[2].Colour, ToneHz = 900 });
        await Eventually.Get(() => Task.FromResult(blue.LatestPicture()),
            p => p is not null && Signals.Near(Signals.AverageColour(p, 0.25, 0.5), People[0].Colour, 45),
            TimeSpan.FromSeconds(20), "blue seeing red on the left");

        red.VideoPaused = true;
        await Task.Delay(800); // well within the 2 s the last picture is held
        Assert.True(Signals.Near(Signals.AverageColour(blue.LatestPicture()!, 0.25, 0.5), People[0].Colour, 45), "the last picture is held a while");
        var placeholder = await Eventually.Get(() => Task.FromResult(blue.LatestPicture()),
            p => p is not null && !Signals.Near(Signals.AverageColour(p, 0.25, 0.5), People[0].Colour, 60),
            TimeSpan.FromSeconds(10), "red's tile turning into a placeholder");
        Assert.True(Signals.Near(Signals.AverageColour(placeholder!, 0.75, 0.5), People[2].Colour, 45), "blue's own tile is unchanged");

        red.VideoPaused = false;
        await Eventually.Get(() => Task.FromResult(blue.LatestPicture()),
            p => p is not null && Signals.Near(Signals.AverageColour(p, 0.25, 0.5), People[0].Colour, 45),
            TimeSpan.FromSeconds(10), "red's picture coming back");
    }

    [Fact]
    public async Task A_send_only_whip_client_like_obs_is_seen_by_the_others_and_sent_nothing()
    {
        using var http = _server.CreateClient();
        await using var obs = await ParticipantBot.JoinAsync(http, Whip("broadcast", "obs"), new BotOptions
        {
            BearerToken = ServerFixture.AdminKey, Name = "obs", Colour = People[3].Colour, ToneHz = 700,
            VideoCodec = Mcu.Rtc.Sdp.CodecKind.H264, Direction = Mcu.Rtc.Sdp.SdpDirection.SendOnly,
        });
        await using var viewer = await ParticipantBot.JoinAsync(http, Whip("broadcast", "host"), new BotOptions
        {
            BearerToken = ServerFixture.AdminKey, Name = "host", Colour = People[1].Colour, ToneHz = 300,
        });
        Assert.Equal(Mcu.Rtc.Sdp.SdpDirection.RecvOnly, obs.Client.Answer.Video!.RemoteDirection); // the server only receives from it
        await Eventually.Get(() => Task.FromResult(viewer.LatestPicture()),
            p => p is not null && Signals.Near(Signals.AverageColour(p, 0.25, 0.5), People[3].Colour, 45),
            TimeSpan.FromSeconds(20), "the host seeing the send-only client's picture");
        var audio = await Eventually.Get(() => Task.FromResult(viewer.RecentAudio()), pcm => Signals.ToneDb(pcm, 700) > -40,
            TimeSpan.FromSeconds(10), "the host hearing the send-only client");
        Assert.Equal(0, obs.VideoFramesReceived);
        Assert.Equal(0, obs.AudioPacketsReceived);
    }

    private Room Room(string name)
    {
        Assert.True(_server.Services.GetRequiredService<RoomDirectory>().TryGet(name, out var room));
        return room;
    }

    private static (int R, int G, int B) QuarterColour(VideoFrame picture, int index) =>
        Signals.AverageColour(picture, 0.25 + 0.5 * (index % 2), 0.25 + 0.5 * (index / 2));
}
