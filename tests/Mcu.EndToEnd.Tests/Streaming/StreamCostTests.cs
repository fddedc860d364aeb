using System.Net.Http.Json;
using System.Text.Json;
using Mcu.EndToEnd.Tests.Recording;
using Mcu.Testing;
using Mcu.Testing.Streaming;
using Xunit.Abstractions;

namespace Mcu.EndToEnd.Tests.Streaming;

/// <summary>
/// What one RTMP stream costs beside a room of four, in the server's own process (a child, as the
/// recording's figure is measured): CPU over a window without a stream, with one at the size the
/// participants receive (sharing their encoder), and with one at another size (an encoder of its
/// own). Printed for the README; the test itself holds the room to 25 fps and the streams to live.
/// Run: dotnet test tests/Mcu.EndToEnd.Tests --filter "FullyQualifiedName~StreamCost" --logger "console;verbosity=detailed"
/// </summary>
public sealed class StreamCostTests(ITestOutputHelper output)
{
    private const string Room = "cost";
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task One_stream_beside_a_room_of_four()
    {
        string folder = RecordingServer.TempFolder("cost");
        var bots = new List<ParticipantBot>();
        try
        {
            using var server = await ServerProcess.StartAsync(folder);
            using var http = server.CreateClient();
            var created = await http.PostAsJsonAsync("/api/rooms", new { name = Room, layout = "grid-4" });
            Assert.True(created.IsSuccessStatusCode);
            foreach (var (name, colour) in new[] { ("red", ((byte)220, (byte)40, (byte)40)), ("blue", ((byte)40, (byte)40, (byte)220)), ("green", ((byte)40, (byte)200, (byte)40)), ("grey", ((byte)120, (byte)120, (byte)120)) })
            {
                bots.Add(await ParticipantBot.JoinAsync(http, server.Whip(Room, name), new BotOptions { Name = name, Colour = colour, ToneHz = 300 + 200 * bots.Count }));
            }
            await Eventually.Get(() => Task.FromResult(bots.Min(b => b.VideoFramesDecoded)), n => n > 60, TimeSpan.FromSeconds(30), "media flowing");
            await Task.Delay(2000);
            var tiers = await TiersAsync(http);
            int idleEncoders = (await StatsAsync(http)).GetProperty("videoEncoders").GetInt32();
            double idle = await CpuOverAsync(server, Window);

            var lines = new List<string> { $"server CPU, room of 4 receiving {string.Join(",", tiers)} ({idleEncoders} encoder(s)): {idle:F1} % of one core" };
            foreach (string resolution in new[] { "640x360", "1280x720" })
            {
                int port = FfmpegListener.FreeTcpPort();
                using var listener = FfmpegListener.Rtmp(port, Path.Combine(folder, $"{resolution}.flv"));
                var response = await http.PostAsJsonAsync($"/api/rooms/{Room}/streams", new { url = listener.Url, resolution });
                using var started = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                string id = started.RootElement.GetProperty("id").GetString()!;
                await Eventually.Get(async () => JsonDocument.Parse(await http.GetStringAsync($"/api/rooms/{Room}/streams/{id}")).RootElement.GetProperty("state").GetString(),
                    s => s == "live", TimeSpan.FromSeconds(20), "the stream live");
                await Task.Delay(1000);
                int encoders = (await StatsAsync(http)).GetProperty("videoEncoders").GetInt32();
                double busy = await CpuOverAsync(server, Window);
                double fps = bots.Min(b => b.ReceivedFps(Window));
                lines.Add($"with one {resolution} RTMP stream ({encoders} encoder(s) in the room): {busy:F1} %; cost {busy - idle:F1} % of one core; bots' lowest fps {fps:F1}");
                Assert.True(fps >= 25, $"a bot received {fps:F1} fps with a {resolution} stream");
                (await http.PostAsync($"/api/rooms/{Room}/streams/{id}/stop", null)).EnsureSuccessStatusCode();
                await listener.WaitForExitAsync(TimeSpan.FromSeconds(15));
                Assert.Equal("", await MediaTools.DecodeErrorsAsync(listener.Output));
            }
            foreach (string line in lines)
            {
                output.WriteLine(line);
            }
            foreach (var bot in bots)
            {
                await bot.DisposeAsync(); // before their client goes
            }
            bots.Clear();
        }
        finally
        {
            foreach (var bot in bots)
            {
                await bot.DisposeAsync();
            }
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<JsonElement> StatsAsync(HttpClient http)
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync($"/api/rooms/{Room}/stats"));
        return json.RootElement.Clone();
    }

    private static async Task<string[]> TiersAsync(HttpClient http) =>
        (await StatsAsync(http)).GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("tier").GetString()!).Distinct().ToArray();

    private static async Task<double> CpuOverAsync(ServerProcess server, TimeSpan window)
    {
        server.Process.Refresh();
        var before = server.Process.TotalProcessorTime;
        await Task.Delay(window);
        server.Process.Refresh();
        return (server.Process.TotalProcessorTime - before).TotalMilliseconds / window.TotalMilliseconds * 100;
    }
}
