using System.Diagnostics.Metrics;
using Mcu.Conference;
using Mcu.Conference.Mixing;
using Mcu.Conference.Rooms;
using Mcu.Media.Codecs;
using Mcu.Server.Rtc;
using Mcu.Server.Streaming;
using Mcu.Conference.Streaming;
using Prometheus;

namespace Mcu.Server.Metrics;

/// <summary>
/// The Prometheus side of the meter "Mcu": a registry of this server's own, fed by
/// prometheus-net's meter adapter from the conference's instruments, plus observable
/// gauges read from the rooms at scrape time. Per app, so two servers in one process
/// (tests) each count their own rooms.
/// </summary>
public sealed class McuExporter : IDisposable
{
    private readonly Meter _meter = new(McuMetrics.MeterName);
    private readonly IDisposable _adapter;

    public McuExporter(RoomDirectory rooms, RtcHost rtc, StreamRegistry streams)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        _meter.CreateObservableGauge("rooms", () => rooms.Rooms.Count, "rooms", "Rooms open");
        _meter.CreateObservableGauge("participants", () => rooms.Rooms.Sum(r => r.Participants.Count), "participants",
            "People in rooms (participants and viewers)");
        _meter.CreateObservableGauge("video_encoders", () => rooms.Rooms.Sum(r => r.VideoEncoderCount), "encoders",
            "Composited video encoders running (one per distinct tier, layout and codec)");
        _meter.CreateObservableGauge("video_encoders_by_tier", () => EncodersByTier(rooms), "encoders",
            "Composited video encoders each room needs now, by tier (one per distinct tier, codec and personal canvas)");
        _meter.CreateObservableGauge("recordings", () => rooms.Rooms.Sum(r => r.Recorders.Count(x => x is not LiveStreamSink)), "recordings", "Recorders attached");
        _meter.CreateObservableGauge("streams", () => rooms.Rooms.Sum(r => r.Recorders.Count(x => x is LiveStreamSink)), "streams",
            "Live streams attached (RTMP/SRT pushes and HLS)");
        _meter.CreateObservableCounter("stream_bytes_sent", () => streams.TotalBytesSent, "bytes",
            "Bytes live streams sent (RTMP/SRT; HLS writes files)");
        _meter.CreateObservableCounter("stream_reconnects", () => streams.TotalReconnects, "reconnects",
            "Connections live streams lost and tried again");
        _meter.CreateObservableCounter("stream_items_dropped", () => streams.TotalDropped, "items",
            "Video access units and audio frames live streams dropped because their endpoint fell behind");
        var transport = rtc.Transport;
        _meter.CreateObservableGauge("tcp_connections", () => transport.TcpConnectionCount, "connections", "ICE-TCP connections open");
        _meter.CreateObservableCounter("tcp_connections_closed", () => new[]
        {
            new Measurement<long>(transport.Counters.TcpRefused, new KeyValuePair<string, object?>("reason", "refused")),
            new Measurement<long>(transport.Counters.TcpClosedBadInput, new KeyValuePair<string, object?>("reason", "bad_input")),
            new Measurement<long>(transport.Counters.TcpClosedTimedOut, new KeyValuePair<string, object?>("reason", "timed_out")),
        }, "connections", "ICE-TCP connections closed by the server: over a limit, for what they sent, or for silence");
        _meter.CreateObservableCounter("tcp_send_drops", () => transport.Counters.TcpSendDrops, "frames",
            "Frames dropped because an ICE-TCP connection's send queue was full");
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = Prometheus.Metrics.WithCustomRegistry(Registry),
            InstrumentFilterPredicate = instrument => instrument.Meter == McuMetrics.Meter || instrument.Meter == _meter,
        });
    }

    public CollectorRegistry Registry { get; }

    /// <summary>
    /// The outputs the rooms' mixers keep, counted from who receives what: participants
    /// share an encoder per (tier, codec), or have their own with hideSelf; recorders take H.264.
    /// </summary>
    private static IEnumerable<Measurement<int>> EncodersByTier(RoomDirectory rooms)
    {
        var keys = rooms.Rooms.SelectMany(r => r.Participants
                .Where(p => p.IsConnected)
                .Select(p => (Room: r.Name, Tier: p.Tier.Name, Codec: p.OutputCodec, Personal: r.Options.HideSelf ? p.Id : null))
                .Concat(r.Recorders.Select(x => (Room: r.Name, Tier: x.Tier.Name, Codec: VideoCodec.H264, Personal: (string?)null))))
            .Distinct()
            .ToList();
        return OutputTier.All.Select(t => new Measurement<int>(keys.Count(k => k.Tier == t.Name), new KeyValuePair<string, object?>("tier", t.Name)));
    }

    public void Dispose()
    {
        _adapter.Dispose();
        _meter.Dispose();
    }
}
