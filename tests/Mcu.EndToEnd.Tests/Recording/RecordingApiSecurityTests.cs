using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mcu.Server.Recording;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests.Recording;

/// <summary>
/// What the recordings API shows and serves: reads need the admin key or a token of the room;
/// the representation carries no server paths or internal ids; downloads serve files from the
/// recordings folder only, whatever a sidecar says.
/// </summary>
public sealed class RecordingApiSecurityTests
{
    [Fact]
    public async Task Reading_recordings_needs_the_admin_key_or_a_token_of_that_room()
    {
        string folder = RecordingServer.TempFolder("auth");
        try
        {
            await using var server = await RecordingServer.StartAsync(folder);
            var info = Plant(server, "alpha", RecordingState.Failed) with { Reason = "a planted recording" };
            server.Services.GetRequiredService<RecordingStore>().Save(info);
            using var admin = server.CreateClient();
            string list = "/api/rooms/alpha/recordings", one = $"/api/rooms/alpha/recordings/{info.Id}";

            using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
            foreach (var path in new[] { list, one })
            {
                var refused = await anonymous.GetAsync(path);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                Assert.DoesNotContain(info.Id, await refused.Content.ReadAsStringAsync());
            }

            using var otherRoom = Client(server, await TokenAsync(admin, "beta", "participant"));
            foreach (var path in new[] { list, one })
            {
                var refused = await otherRoom.GetAsync(path);
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
                Assert.DoesNotContain(info.Id, await refused.Content.ReadAsStringAsync());
            }

            using var viewer = Client(server, await TokenAsync(admin, "alpha", "viewer"));
            Assert.Contains(info.Id, await viewer.GetStringAsync(list));
            Assert.Contains(info.Id, await viewer.GetStringAsync(one));
            Assert.Contains(info.Id, await admin.GetStringAsync(one));
            // Downloads stay the admin's.
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync(one + "/file")).StatusCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_representation_has_no_server_paths_or_internal_ids()
    {
        string parent = RecordingServer.TempFolder("paths");
        string notAFolder = Path.Combine(parent, "file");
        await File.WriteAllTextAsync(notAFolder, "a file where the recordings folder should be");
        try
        {
            // A real failure whose cause names the folder.
            await using var server = await RecordingServer.StartAsync(notAFolder);
            using var admin = server.CreateClient();
            Assert.True((await admin.PostAsJsonAsync("/api/rooms", new { name = "paths" })).IsSuccessStatusCode);
            string failedId = await RecordingApi.StartAsync(admin, "paths");
            await RecordingApi.WaitForStateAsync(admin, "paths", failedId, "failed", TimeSpan.FromSeconds(20));

            // And one whose metadata (an old sidecar, say) holds absolute paths everywhere.
            var store = server.Services.GetRequiredService<RecordingStore>();
            var planted = Plant(server, "paths", RecordingState.Interrupted) with
            {
                File = "/srv/mcu/recordings/paths-1.mp4",
                Thumbnail = "/srv/mcu/recordings/paths-1.jpg",
                Reason = "Recording '/srv/mcu/recordings/paths-1.mp4': writing video failed: No space left on device",
                Node = "node-7f3a", Queue = "node-node-7f3a", JobId = "4711", PostProcessJobId = "4712",
            };
            store.TrySave(planted, out _); // the folder is a file: kept in memory, as a failure's metadata is

            string text = await admin.GetStringAsync("/api/rooms/paths/recordings");
            using var json = JsonDocument.Parse(text);
            Assert.Equal(2, json.RootElement.GetArrayLength());
            foreach (var recording in json.RootElement.EnumerateArray())
            {
                foreach (var hidden in new[] { "node", "queue", "jobId", "postProcessJobId", "stopRequested" })
                {
                    Assert.False(recording.TryGetProperty(hidden, out _), $"{hidden} in {recording.GetRawText()}");
                }
            }
            Assert.DoesNotContain(parent, text);
            Assert.DoesNotContain("/srv/", text);
            Assert.DoesNotContain("4711", text);
            var failed = await RecordingApi.GetAsync(admin, "paths", failedId);
            Assert.Contains("cannot create the recordings folder", failed.GetProperty("reason").GetString());
            var shown = await RecordingApi.GetAsync(admin, "paths", planted.Id);
            Assert.Equal("paths-1.mp4", shown.GetProperty("file").GetString());
            Assert.Equal("paths-1.jpg", shown.GetProperty("thumbnail").GetString());
            Assert.Contains("No space left on device", shown.GetProperty("reason").GetString());
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task A_sidecar_pointing_outside_the_recordings_folder_gets_a_refusal_and_none_of_that_file()
    {
        string folder = RecordingServer.TempFolder("escape");
        try
        {
            await using var server = await RecordingServer.StartAsync(folder);
            using var admin = server.CreateClient();
            var store = server.Services.GetRequiredService<RecordingStore>();
            string secret = await File.ReadAllTextAsync("/etc/passwd");
            File.CreateSymbolicLink(Path.Combine(folder, "link.mp4"), "/etc/passwd");
            string[] escapes = ["/etc/passwd", "../../../../../../etc/passwd", "link.mp4"];
            foreach (string target in escapes)
            {
                var planted = Plant(server, "escape", RecordingState.Done) with { File = target, Thumbnail = target };
                store.Save(planted);
                foreach (string what in new[] { "file", "thumbnail" })
                {
                    var response = await admin.GetAsync($"/api/rooms/escape/recordings/{planted.Id}/{what}");
                    string body = await response.Content.ReadAsStringAsync();
                    Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    Assert.DoesNotContain("root:", body);
                    Assert.False(secret.Length > 0 && body.Contains(secret[..Math.Min(secret.Length, 20)]), $"{target}: {body}");
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static RecordingInfo Plant(RecordingServer server, string room, RecordingState state) => new()
    {
        Id = RecordingStore.NewId(),
        Room = room,
        Layout = "auto",
        Width = 640,
        Height = 360,
        State = state,
        CreatedAt = DateTimeOffset.UtcNow,
        EndedAt = DateTimeOffset.UtcNow,
    };

    private static async Task<string> TokenAsync(HttpClient admin, string room, string role)
    {
        var response = await admin.PostAsJsonAsync($"/api/rooms/{room}/tokens", new { role });
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    private static HttpClient Client(RecordingServer server, string token)
    {
        var http = new HttpClient { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
