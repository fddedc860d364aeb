using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mcu.EndToEnd.Tests.Recording;

/// <summary>
/// A throwaway PostgreSQL cluster from Debian's postgresql binaries: initdb into a temp folder,
/// started on 127.0.0.1 on a free port (as the postgres user when the tests run as root,
/// which PostgreSQL refuses), stopped and deleted afterwards.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private string? _bin;
    private string _folder = "";
    private bool _asPostgresUser;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderByDescending(b => b, StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (_bin is null)
        {
            return; // the test says what to install
        }
        _asPostgresUser = Environment.UserName == "root";
        _folder = Path.Combine(Path.GetTempPath(), $"mcu-pg-{Guid.NewGuid():N}"[..24]);
        Directory.CreateDirectory(_folder);
        if (_asPostgresUser)
        {
            await RunAsync("chown", "postgres:postgres", _folder);
        }
        int port = FreePort();
        string data = Path.Combine(_folder, "data");
        await RunPgAsync("initdb", "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8");
        await RunPgAsync("pg_ctl", "-D", data, "-l", Path.Combine(_folder, "log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {_folder} -c listen_addresses=127.0.0.1 -F", "start");
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    /// <summary>Fails the test, saying what to install, when there is no PostgreSQL.</summary>
    public void EnsureAvailable() =>
        Assert.True(_bin is not null, "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb): run scripts/install-deps.sh test");

    public async Task DisposeAsync()
    {
        if (_bin is null)
        {
            return;
        }
        await RunPgAsync("pg_ctl", "-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop");
        Directory.Delete(_folder, recursive: true);
    }

    private Task RunPgAsync(string tool, params string[] arguments) => _asPostgresUser
        ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin!, tool), .. arguments])
        : RunAsync(Path.Combine(_bin!, tool), arguments);

    private static async Task RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited {process.ExitCode}: {await output} {await errors}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
