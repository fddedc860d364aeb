using System.Net.Http.Json;
using System.Text.Json;

namespace Mcu.EndToEnd.Tests.Recording;

/// <summary>The recording API as a client uses it: start, stop, poll the state.</summary>
public static class RecordingApi
{
    public static async Task<string> StartAsync(HttpClient http, string room, object? body = null)
    {
        var response = await http.PostAsJsonAsync($"/api/rooms/{room}/recordings", body ?? new { });
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"start: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    public static async Task StopAsync(HttpClient http, string room, string id)
    {
        var response = await http.PostAsync($"/api/rooms/{room}/recordings/{id}/stop", null);
        Assert.True(response.IsSuccessStatusCode, $"stop: {(int)response.StatusCode}");
    }

    public static async Task<JsonElement> GetAsync(HttpClient http, string room, string id)
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync($"/api/rooms/{room}/recordings/{id}"));
        return json.RootElement.Clone();
    }

    /// <summary>Downloads the recording's file through the API into <paramref name="path"/>.</summary>
    public static async Task DownloadAsync(HttpClient http, string room, string id, string path)
    {
        using var response = await http.GetAsync($"/api/rooms/{room}/recordings/{id}/file");
        Assert.True(response.IsSuccessStatusCode, $"download: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await using var file = File.Create(path);
        await response.Content.CopyToAsync(file);
    }

    public static Task<JsonElement> WaitForStateAsync(HttpClient http, string room, string id, string state, TimeSpan within) =>
        Eventually.Get(() => GetAsync(http, room, id), r => r.GetProperty("state").GetString() == state, within, $"recording {id} becoming {state}");

    public static string State(this JsonElement recording) => recording.GetProperty("state").GetString()!;
}
