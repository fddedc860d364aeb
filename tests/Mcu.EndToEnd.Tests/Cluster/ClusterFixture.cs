using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mcu.EndToEnd.Tests.Recording;

namespace Mcu.EndToEnd.Tests.Cluster;

/// <summary>
/// A throwaway PostgreSQL and two server processes, nodes "a" and "b", sharing it and one
/// recordings folder, each on its own 127.0.0.1 ports; a test may kill a node and start it again.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private readonly PostgresCluster _postgres = new();
    private readonly Dictionary<string, ServerProcess> _nodes = [];

    public string RecordingsPath { get; } = RecordingServer.TempFolder("cluster");

    public ServerProcess A => _nodes["a"];

    public ServerProcess B => _nodes["b"];

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        _postgres.EnsureAvailable();
        await Task.WhenAll(StartAsync("a"), StartAsync("b"));
    }

    /// <summary>Starts node <paramref name="name"/> (again, after a kill: same name, a new port).</summary>
    public async Task<ServerProcess> StartAsync(string name)
    {
        var node = await ServerProcess.StartAsync(RecordingsPath,
            $"--Mcu:StorageConnectionString={_postgres.ConnectionString}", $"--Mcu:NodeName={name}");
        lock (_nodes)
        {
            if (_nodes.Remove(name, out var old))
            {
                old.Dispose();
            }
            _nodes[name] = node;
        }
        return node;
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes.Values)
        {
            node.Dispose();
        }
        await _postgres.DisposeAsync();
        Directory.Delete(RecordingsPath, recursive: true);
    }

    public static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The room <paramref name="name"/> as GET /api/rooms lists it, or null.</summary>
    public static async Task<JsonElement?> ListedAsync(HttpClient http, string name)
    {
        foreach (var room in (await GetJsonAsync(http, "/api/rooms")).EnumerateArray())
        {
            if (room.GetProperty("name").GetString() == name)
            {
                return room;
            }
        }
        return null;
    }

    public static async Task<string> TokenAsync(HttpClient http, string room, string role = "participant")
    {
        using var response = await http.PostAsync($"/api/rooms/{room}/tokens", Body($$"""{"role":"{{role}}"}"""));
        Assert.True(response.IsSuccessStatusCode, $"token: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }
}
