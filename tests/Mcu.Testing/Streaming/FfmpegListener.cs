using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mcu.Testing.Streaming;

/// <summary>
/// FFmpeg as a live-stream server on 127.0.0.1: `ffmpeg -listen 1 -f flv -i rtmp://…` (or an SRT
/// listener) that takes one publisher and copies what it gets into a file. Killing it is the
/// endpoint going away; a new one on the same port is it coming back.
/// </summary>
public sealed class FfmpegListener : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _errors;

    private FfmpegListener(Process process, string url, string output)
    {
        _process = process;
        Url = url;
        Output = output;
        _errors = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Where to publish.</summary>
    public string Url { get; }

    /// <summary>The file the received stream is copied into.</summary>
    public string Output { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>An RTMP server at rtmp://127.0.0.1:<paramref name="port"/>/live/key copying to <paramref name="output"/> (FLV).</summary>
    public static FfmpegListener Rtmp(int port, string output) =>
        Start($"rtmp://127.0.0.1:{port}/live/key", ["-listen", "1", "-f", "flv", "-i", $"rtmp://127.0.0.1:{port}/live/key"], output, "flv");

    /// <summary>An SRT listener on 127.0.0.1:<paramref name="port"/> copying to <paramref name="output"/> (MPEG-TS).</summary>
    public static FfmpegListener Srt(int port, string output) =>
        Start($"srt://127.0.0.1:{port}?mode=caller", ["-f", "mpegts", "-i", $"srt://127.0.0.1:{port}?mode=listener"], output, "mpegts");

    /// <summary>A free TCP port on 127.0.0.1 (free now; the listener takes it a moment later).</summary>
    public static int FreeTcpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>A free UDP port on 127.0.0.1.</summary>
    public static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static FfmpegListener Start(string url, string[] input, string output, string format)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string a in (string[])["-hide_banner", "-nostats", "-loglevel", "warning", "-y", .. input, "-c", "copy", "-f", format, output])
        {
            start.ArgumentList.Add(a);
        }
        return new FfmpegListener(Process.Start(start)!, url, output);
    }

    /// <summary>Waits for the publisher to end its stream (the listener then exits), at most <paramref name="within"/>.</summary>
    public async Task<string> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"the FFmpeg listener at {Url} did not exit within {within.TotalSeconds} s: {await _errors}");
        }
        return await _errors;
    }

    /// <summary>Ends the server at once, the connection dropping as a crash would drop it.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
