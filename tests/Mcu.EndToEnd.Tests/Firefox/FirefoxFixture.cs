using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcu.EndToEnd.Tests.Firefox;

/// <summary>
/// Debian's Firefox ESR, driven over WebDriver BiDi by puppeteer-core through <c>bridge.mjs</c>
/// (one Node process per test class; one Firefox per page). scripts/test.sh installs
/// firefox-esr and the bridge's npm packages.
/// </summary>
public sealed class FirefoxFixture : IAsyncLifetime
{
    public const string FirefoxPath = "/usr/bin/firefox-esr";

    private readonly SemaphoreSlim _one = new(1, 1);
    private Process? _node;
    private int _nextId;

    public Task InitializeAsync()
    {
        string folder = BridgeFolder();
        if (!File.Exists(FirefoxPath) || !Directory.Exists(Path.Combine(folder, "node_modules", "puppeteer-core")))
        {
            throw new InvalidOperationException($"{FirefoxPath} or the bridge's npm packages are missing: run scripts/test.sh, which installs them.");
        }
        var start = new ProcessStartInfo("node", "bridge.mjs")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["MCU_FIREFOX"] = FirefoxPath;
        _node = Process.Start(start)!;
        // Firefox's own chatter goes nowhere; a failing request says what went wrong in its reply.
        _node.ErrorDataReceived += (_, _) => { };
        _node.BeginErrorReadLine();
        return Task.CompletedTask;
    }

    /// <summary>Opens <paramref name="url"/> in a Firefox of its own.</summary>
    public async Task<FirefoxPage> OpenAsync(Uri url)
    {
        int page = (await SendAsync(new JsonObject { ["op"] = "open", ["url"] = url.ToString() })).GetInt32();
        return new FirefoxPage(this, page);
    }

    internal async Task<JsonElement> SendAsync(JsonObject request)
    {
        await _one.WaitAsync();
        try
        {
            int id = ++_nextId;
            request["id"] = id;
            await _node!.StandardInput.WriteLineAsync(request.ToJsonString());
            await _node.StandardInput.FlushAsync();
            string? line = await _node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (line is null)
            {
                throw new InvalidOperationException("The Firefox bridge exited.");
            }
            var reply = JsonDocument.Parse(line).RootElement;
            if (reply.TryGetProperty("error", out var error))
            {
                throw new FirefoxException(error.GetString() ?? "error");
            }
            return reply.GetProperty("value").Clone();
        }
        finally
        {
            _one.Release();
        }
    }

    public async Task DisposeAsync()
    {
        if (_node is null)
        {
            return;
        }
        _node.StandardInput.Close(); // the bridge closes every Firefox and exits
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _node.Kill(entireProcessTree: true);
        }
        _node.Dispose();
    }

    private static string BridgeFolder()
    {
        // The bridge runs from the source tree, beside its node_modules.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "Mcu.EndToEnd.Tests", "Firefox");
            if (File.Exists(Path.Combine(candidate, "bridge.mjs")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("tests/Mcu.EndToEnd.Tests/Firefox/bridge.mjs not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A script error in the page, or a failure of the bridge.</summary>
public sealed class FirefoxException(string message) : Exception(message);

/// <summary>One page, in a Firefox of its own.</summary>
public sealed class FirefoxPage(FirefoxFixture firefox, int page) : IProbePage
{
    public async Task<T> EvaluateAsync<T>(string expression)
    {
        var value = await firefox.SendAsync(new JsonObject { ["op"] = "eval", ["page"] = page, ["expr"] = expression });
        return value.Deserialize<T>()!;
    }

    public async ValueTask DisposeAsync() =>
        await firefox.SendAsync(new JsonObject { ["op"] = "close", ["page"] = page });
}
