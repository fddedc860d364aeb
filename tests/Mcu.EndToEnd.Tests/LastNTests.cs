using System.Diagnostics;
using System.Net.Http.Json;
using Mcu.Conference.Rooms;
using Mcu.Media.Frames;
using Mcu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests;

/// <summary>
/// A room of 30 bots on a 9-tile layout: who is seen follows the voice. The 21 off the canvas cost
/// no decode; one who starts talking is on the canvas, decoded, within 1.5 s; a pinned one stays
/// whoever talks.
/// </summary>
public sealed class LastNTests : IClassFixture<ServerFixture>
{
    private const int People = 30;
    private static readonly (byte R, byte G, byte B) Grey = (90, 90, 90);
    private static readonly (byte R, byte G, byte B) Green = (30, 200, 30);
    private static readonly (byte R, byte G, byte B) Blue = (30, 30, 220);

    private readonly ServerFixture _server;

    public LastNTests(ServerFixture server) => _server = server;

    [Fact]
    public async Task In_a_room_of_30_on_a_9_tile_layout_a_talker_is_brought_in_the_hidden_cost_no_decode_and_the_pinned_stay()
    {
        var rooms = _server.Services.GetRequiredService<RoomDirectory>();
        Assert.True(rooms.TryCreate("stage-room", new RoomOptions { Layout = "grid-9", MaxParticipants = 40 }, out var room));
        var stages = new System.Collections.Concurrent.ConcurrentQueue<string>();
        room.Changed += e =>
        {
            if (e.Type == RoomEventType.StageChanged)
            {
                stages.Enqueue(e.Detail ?? "");
            }
        };
        using var http = _server.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", ServerFixture.AdminKey);
        var bots = new List<ParticipantBot>();
        try
        {
            for (int i = 0; i < People; i++)
            {
                var colour = i == 20 ? Green : i == 25 ? Blue : Grey;
                bots.Add(await ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, $"/api/rooms/stage-room/whip?name=bot{i}"),
                    new BotOptions
                    {
                        Name = $"bot{i}", Colour = colour, ToneHz = 300 + 20 * i, StartSilent = true,
                        DecodeVideo = i == 0, BearerToken = ServerFixture.AdminKey,
                    }));
            }
            Participant Server(int i) => room.Participants.Single(p => p.DisplayName == $"bot{i}");
            await Eventually.Get(() => Task.FromResult(room.Participants.Count(p => p.IsConnected)), n => n == People,
                TimeSpan.FromSeconds(30), "everyone connected");
            await Eventually.Get(() => Task.FromResult(room.Participants.Count(p => p.OnStage)), n => n == 9,
                TimeSpan.FromSeconds(10), "nine on the canvas");
            Assert.All(Enumerable.Range(0, 9), i => Assert.True(Server(i).OnStage, $"bot{i}, among the first nine to join, is seen"));

            // Off the canvas: frames arrive and are counted, none is decoded.
            await Task.Delay(500);
            var hidden = Enumerable.Range(9, People - 9).Select(Server).ToList();
            var before = hidden.Select(p => p.GetStats()).ToList();
            await Task.Delay(1500);
            var after = hidden.Select(p => p.GetStats()).ToList();
            for (int i = 0; i < hidden.Count; i++)
            {
                Assert.Equal(before[i].VideoFramesDecoded, after[i].VideoFramesDecoded);
                Assert.True(after[i].VideoFramesHidden > before[i].VideoFramesHidden + 10,
                    $"{hidden[i].DisplayName}: {after[i].VideoFramesHidden - before[i].VideoFramesHidden} frames skipped in 1.5 s");
            }

            // bot20 starts talking: on the canvas and decoded within 1.5 s, and the others see it.
            var talker = Server(20);
            long decodedBefore = talker.GetStats().VideoFramesDecoded;
            var clock = Stopwatch.StartNew();
            bots[20].Silent = false;
            await Eventually.Get(() => Task.FromResult(talker.OnStage && talker.GetStats().VideoFramesDecoded > decodedBefore), ok => ok,
                TimeSpan.FromSeconds(5), "bot20 on the canvas and decoded");
            var decodedWithin = clock.Elapsed;
            await Eventually.Get(() => Task.FromResult(bots[0].LatestPicture()), p => p is not null && ShowsColour(p, Green),
                TimeSpan.FromSeconds(5), "bot0 seeing bot20's green tile");
            var shownWithin = clock.Elapsed;
            Assert.True(decodedWithin <= TimeSpan.FromSeconds(1.5), $"bot20 was decoded {decodedWithin.TotalMilliseconds:F0} ms after it began to talk");
            Assert.Equal(9, room.Participants.Count(p => p.OnStage));
            // The events say who is seen: nine ids, bot20's among them.
            await Eventually.Get(() => Task.FromResult(stages.LastOrDefault() ?? ""), ids => ids.Split(',').Length == 9 && ids.Split(',').Contains(talker.Id),
                TimeSpan.FromSeconds(2), "a stageChanged event with bot20 on the canvas");

            // bot25 pinned: on the canvas at once, and it stays while five others talk in turn.
            var pinned = Server(25);
            var response = await http.PatchAsJsonAsync($"/api/rooms/stage-room/participants/{pinned.Id}", new { pinned = true });
            response.EnsureSuccessStatusCode();
            await Eventually.Get(() => Task.FromResult(pinned.OnStage), on => on, TimeSpan.FromSeconds(3), "bot25 on the canvas once pinned");
            foreach (int i in new[] { 11, 12, 13, 14, 15 })
            {
                bots[i].Silent = false;
                for (int t = 0; t < 10; t++)
                {
                    await Task.Delay(100);
                    Assert.True(pinned.OnStage, $"pinned bot25 left the canvas while bot{i} talked");
                }
                bots[i].Silent = true;
            }
            Assert.Equal(9, room.Participants.Count(p => p.OnStage));
            Console.WriteLine($"last N: talker decoded after {decodedWithin.TotalMilliseconds:F0} ms, seen by another after {shownWithin.TotalMilliseconds:F0} ms");
        }
        finally
        {
            foreach (var bot in bots)
            {
                await bot.DisposeAsync();
            }
        }
    }

    /// <summary>Whether one of the 3x3 grid's cells shows <paramref name="colour"/>.</summary>
    private static bool ShowsColour(VideoFrame picture, (byte R, byte G, byte B) colour)
    {
        for (int row = 0; row < 3; row++)
        {
            for (int column = 0; column < 3; column++)
            {
                if (Signals.Near(Signals.AverageColour(picture, (column + 0.5) / 3, (row + 0.5) / 3), colour, 45))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
