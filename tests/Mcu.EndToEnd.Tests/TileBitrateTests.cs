using System.Net.Http.Json;
using Mcu.Conference.Rooms;
using Mcu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests;

/// <summary>
/// The server asks each sender (REMB) for what their tile needs: on the speaker layout the speaker's
/// big tile gets a bitrate for 640x360, the strip's small tiles the floor, and bots that follow REMB
/// as a browser does send pictures of that size — so the server decodes no more than it shows.
/// When the speaker changes, the sizes follow.
/// </summary>
public sealed class TileBitrateTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public TileBitrateTests(ServerFixture server) => _server = server;

    [Fact]
    public async Task The_big_tile_is_asked_for_a_big_picture_and_the_small_tiles_for_small_ones()
    {
        var rooms = _server.Services.GetRequiredService<RoomDirectory>();
        Assert.True(rooms.TryCreate("tile-room", new RoomOptions { Layout = "speaker" }, out var room));
        using var http = _server.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", ServerFixture.AdminKey);
        var bots = new List<ParticipantBot>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                bots.Add(await ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, $"/api/rooms/tile-room/whip?name=tile{i}"),
                    new BotOptions { Name = $"tile{i}", Colour = ((byte)(60 * i), 120, 200), ToneHz = null, DecodeVideo = false, HonourRemb = true, BearerToken = ServerFixture.AdminKey }));
            }
            string Id(int i) => room.Participants.Single(p => p.DisplayName == $"tile{i}").Id;
            await Eventually.Get(() => Task.FromResult(room.Participants.Count(p => p.IsConnected)), n => n == 3, TimeSpan.FromSeconds(10), "three connected");

            (await http.PutAsJsonAsync("/api/rooms/tile-room/speaker", new { participantId = Id(0) })).EnsureSuccessStatusCode();
            await Eventually.Get(() => Task.FromResult(bots.Select(b => b.SendingWidth).ToArray()), w => w.SequenceEqual([640, 160, 160]),
                TimeSpan.FromSeconds(10), "the speaker sending 640 wide, the strip 160");
            Assert.InRange(bots[0].RembBps, 400_000, Participant.MaxUplinkBps);
            Assert.Equal(Participant.MinUplinkBps, bots[1].RembBps);

            (await http.PutAsJsonAsync("/api/rooms/tile-room/speaker", new { participantId = Id(2) })).EnsureSuccessStatusCode();
            await Eventually.Get(() => Task.FromResult(bots.Select(b => b.SendingWidth).ToArray()), w => w.SequenceEqual([160, 160, 640]),
                TimeSpan.FromSeconds(10), "the new speaker sending 640 wide, the old one 160");
            // The server decodes what is sent: the strip's pictures are small, the speaker's not.
            int Width(int i) => room.Participants.Single(p => p.DisplayName == $"tile{i}").GetStats().VideoInputWidth;
            await Eventually.Get(() => Task.FromResult((Width(0), Width(2))), w => w == (160, 640), TimeSpan.FromSeconds(5), "the server decoding 160 and 640 wide");
        }
        finally
        {
            foreach (var bot in bots)
            {
                await bot.DisposeAsync();
            }
        }
    }
}
