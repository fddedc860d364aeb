using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcu.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mcu.EndToEnd.Tests.Recording;

/// <summary>
/// A recording holds its worker for as long as it records; post-processing has workers of its
/// own, so it completes while the node records at its cap, and a recording past the cap is
/// refused with a problem document instead of waiting for a worker that never comes.
/// </summary>
public sealed class RecordingCapacityTests
{
    private const string Room = "cap";

    [Fact]
    public async Task Post_processing_completes_while_the_node_records_at_its_cap_and_one_more_is_refused_with_503()
    {
        string folder = RecordingServer.TempFolder("cap");
        try
        {
            await using var server = await RecordingServer.StartAsync(folder, "--Mcu:Limits:MaxRecordings=2", "--Mcu:Recording:PostProcessWorkers=1");
            using var http = server.CreateClient();
            await using var red = await ParticipantBot.JoinAsync(http, server.Whip(Room, "red"), new BotOptions { Name = "red", Colour = (220, 40, 40), ToneHz = 400 });
            await Eventually.Get(() => Task.FromResult(red.VideoFramesDecoded), n => n > 30, TimeSpan.FromSeconds(20), "media flowing");

            string first = await RecordingApi.StartAsync(http, Room);
            string second = await RecordingApi.StartAsync(http, Room);
            await RecordingApi.WaitForStateAsync(http, Room, first, "recording", TimeSpan.FromSeconds(10));
            await RecordingApi.WaitForStateAsync(http, Room, second, "recording", TimeSpan.FromSeconds(10));

            var refused = await http.PostAsJsonAsync($"/api/rooms/{Room}/recordings", new { });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            using (var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()))
            {
                Assert.Contains("2 recordings", problem.RootElement.GetProperty("detail").GetString());
            }
            using (var list = JsonDocument.Parse(await http.GetStringAsync($"/api/rooms/{Room}/recordings")))
            {
                Assert.Equal(2, list.RootElement.GetArrayLength()); // the refused one left nothing behind
            }

            await Task.Delay(TimeSpan.FromSeconds(3));
            await RecordingApi.StopAsync(http, Room, first);
            var done = await RecordingApi.WaitForStateAsync(http, Room, first, "done", TimeSpan.FromSeconds(30));
            Assert.True(done.GetProperty("finalized").GetBoolean(), "post-processed while the other one records");
            Assert.Equal("recording", (await RecordingApi.GetAsync(http, Room, second)).State());

            // A place is free again.
            string third = await RecordingApi.StartAsync(http, Room);
            await RecordingApi.WaitForStateAsync(http, Room, third, "recording", TimeSpan.FromSeconds(10));
            await Task.Delay(TimeSpan.FromSeconds(3)); // past its first keyframe: stopped before, it has nothing to keep
            await RecordingApi.StopAsync(http, Room, second);
            await RecordingApi.StopAsync(http, Room, third);
            await RecordingApi.WaitForStateAsync(http, Room, second, "done", TimeSpan.FromSeconds(30));
            await RecordingApi.WaitForStateAsync(http, Room, third, "done", TimeSpan.FromSeconds(30));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_recording_asked_for_once_the_server_is_stopping_is_refused_with_503()
    {
        string folder = RecordingServer.TempFolder("stopping");
        try
        {
            await using var server = await RecordingServer.StartAsync(folder);
            using var http = server.CreateClient();
            Assert.True((await http.PostAsJsonAsync("/api/rooms", new { name = "stopping" })).IsSuccessStatusCode);
            // Started with StartAsync, the app only signals ApplicationStopping here (nothing runs the stop), so it still answers.
            server.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

            var refused = await http.PostAsJsonAsync("/api/rooms/stopping/recordings", new { });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("shutting down", await refused.Content.ReadAsStringAsync());
            using var list = JsonDocument.Parse(await http.GetStringAsync("/api/rooms/stopping/recordings"));
            Assert.Equal(0, list.RootElement.GetArrayLength());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
