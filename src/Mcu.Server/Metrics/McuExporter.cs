using System.Diagnostics.Metrics;
using Mcu.Conference;
using Mcu.Conference.Rooms;
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

    public McuExporter(RoomDirectory rooms)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        _meter.CreateObservableGauge("rooms", () => rooms.Rooms.Count, "rooms", "Rooms open");
        _meter.CreateObservableGauge("participants", () => rooms.Rooms.Sum(r => r.Participants.Count), "participants",
            "People in rooms (participants and viewers)");
        _meter.CreateObservableGauge("video_encoders", () => rooms.Rooms.Sum(r => r.VideoEncoderCount), "encoders",
            "Composited video encoders running (one per distinct tier, layout and codec)");
        _meter.CreateObservableGauge("recordings", () => rooms.Rooms.Sum(r => r.Recorders.Count), "recordings", "Recorders attached");
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = Prometheus.Metrics.WithCustomRegistry(Registry),
            InstrumentFilterPredicate = instrument => instrument.Meter == McuMetrics.Meter || instrument.Meter == _meter,
        });
    }

    public CollectorRegistry Registry { get; }

    public void Dispose()
    {
        _adapter.Dispose();
        _meter.Dispose();
    }
}
