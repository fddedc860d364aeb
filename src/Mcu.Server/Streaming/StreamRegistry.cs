using System.Collections.Concurrent;
using Mcu.Conference.Streaming;

namespace Mcu.Server.Streaming;

/// <summary>
/// This node's streams: what the API shows (<see cref="StreamInfo"/>), the secret URL each pushes
/// to (never shown, never in a job's arguments), and the sink and stop signal of those running.
/// In memory: a stream lives no longer than its room, which lives in this process. At SIGTERM
/// every stream is stopped at once.
/// </summary>
public sealed class StreamRegistry
{
    private readonly ConcurrentDictionary<string, Entry> _streams = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private volatile bool _shuttingDown;

    public StreamRegistry(IHostApplicationLifetime lifetime)
    {
        lifetime.ApplicationStopping.Register(() =>
        {
            _shuttingDown = true;
            foreach (var entry in _streams.Values)
            {
                entry.Stop.Cancel();
            }
        });
    }

    private sealed class Entry(StreamInfo info, string url)
    {
        public StreamInfo Info = info;
        public string Url { get; } = url;
        public CancellationTokenSource Stop { get; } = new();
        public LiveStreamSink? Sink;
    }

    public bool ShuttingDown => _shuttingDown;

    /// <summary>Streams not over yet (queued, starting, live, reconnecting).</summary>
    public int Running => _streams.Values.Count(e => !e.Info.IsOver);

    private IEnumerable<LiveStreamSink> Sinks => _streams.Values.Select(e => e.Sink).OfType<LiveStreamSink>();

    // What the streams that ended had counted, so the totals below only ever grow (Prometheus counters).
    private long _endedBytes;
    private long _endedReconnects;
    private long _endedDropped;

    public long TotalBytesSent => Interlocked.Read(ref _endedBytes) + Sinks.Sum(s => s.BytesSent);

    public long TotalReconnects => Interlocked.Read(ref _endedReconnects) + Sinks.Sum(s => (long)s.Reconnects);

    public long TotalDropped => Interlocked.Read(ref _endedDropped) + Sinks.Sum(s => s.Dropped);

    /// <summary>Adds a stream unless <paramref name="max"/> are running, or (for HLS) the room already has one going.</summary>
    public string? TryAdd(StreamInfo info, string url, int max)
    {
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return "the server is shutting down";
            }
            if (Running >= max)
            {
                return $"this node is already running {max} streams, its limit (Mcu:Streaming:MaxStreams)";
            }
            if (info.Kind == StreamKind.Hls && _streams.Values.Any(e => e.Info.Room == info.Room && e.Info.Kind == StreamKind.Hls && !e.Info.IsOver))
            {
                return $"room '{info.Room}' already has HLS running";
            }
            _streams[info.Id] = new Entry(info, url);
            return null;
        }
    }

    public StreamInfo? Get(string id) => _streams.TryGetValue(id, out var e) ? e.Info : null;

    public IReadOnlyList<StreamInfo> List(string room) =>
        _streams.Values.Select(e => e.Info).Where(i => i.Room == room).OrderByDescending(i => i.CreatedAt).ToList();

    /// <summary>The room's HLS stream that is not over, if any.</summary>
    public StreamInfo? HlsOf(string room) =>
        _streams.Values.Select(e => e.Info).FirstOrDefault(i => i.Room == room && i.Kind == StreamKind.Hls && !i.IsOver);

    public string? UrlOf(string id) => _streams.TryGetValue(id, out var e) ? e.Url : null;

    public CancellationToken StopTokenOf(string id) => _streams.TryGetValue(id, out var e) ? e.Stop.Token : new CancellationToken(true);

    public void Attach(string id, LiveStreamSink? sink)
    {
        if (_streams.TryGetValue(id, out var e))
        {
            if (sink is null && e.Sink is { } ended)
            {
                Interlocked.Add(ref _endedBytes, ended.BytesSent);
                Interlocked.Add(ref _endedReconnects, ended.Reconnects);
                Interlocked.Add(ref _endedDropped, ended.Dropped);
            }
            e.Sink = sink;
            if (_shuttingDown)
            {
                e.Stop.Cancel(); // began as the host stopped: the stopping callback may have missed it
            }
        }
    }

    public StreamInfo? Update(string id, Func<StreamInfo, StreamInfo> change)
    {
        lock (_gate)
        {
            if (!_streams.TryGetValue(id, out var e))
            {
                return null;
            }
            e.Info = change(e.Info);
            return e.Info;
        }
    }

    /// <summary>Signals the stream to stop; one still queued is over at once. Null when there is no such stream.</summary>
    public StreamInfo? Stop(string id)
    {
        if (!_streams.TryGetValue(id, out var e))
        {
            return null;
        }
        e.Stop.Cancel();
        return Update(id, i => i.State == StreamState.Starting && e.Sink is null
            ? i with { State = StreamState.Stopped, Reason = "stopped before it started", EndedAt = DateTimeOffset.UtcNow }
            : i);
    }

    /// <summary>Forgets streams over for longer than <paramref name="age"/>, so the list stays short.</summary>
    public void Prune(TimeSpan age)
    {
        var cutoff = DateTimeOffset.UtcNow - age;
        foreach (var (id, e) in _streams)
        {
            if (e.Info.IsOver && e.Info.EndedAt < cutoff)
            {
                _streams.TryRemove(id, out _);
            }
        }
    }
}
