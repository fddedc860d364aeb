using System.Diagnostics.Metrics;

namespace Mcu.Conference;

/// <summary>
/// The conference's instruments (System.Diagnostics.Metrics, meter "Mcu"); the server
/// exports them to Prometheus, whose meter adapter prefixes the meter name (mcu_video_encode_ms).
/// </summary>
public static class McuMetrics
{
    public const string MeterName = "Mcu";

    public static readonly Meter Meter = new(MeterName);

    public static readonly Histogram<double> EncodeMs = Meter.CreateHistogram<double>("video_encode_ms", "ms", "Time to encode one composited frame");
    public static readonly Histogram<double> DecodeMs = Meter.CreateHistogram<double>("video_decode_ms", "ms", "Time to decode one received frame");
    public static readonly Histogram<double> CompositeMs = Meter.CreateHistogram<double>("video_composite_ms", "ms", "Time to composite one output frame");
    public static readonly Histogram<double> ServerLatencyMs = Meter.CreateHistogram<double>("video_latency_ms", "ms",
        "From a participant's frame arriving complete to the first packet of an output frame showing it");
    public static readonly Counter<long> FramesEncoded = Meter.CreateCounter<long>("video_frames_encoded", "frames", "Composited frames encoded, by tier");
    public static readonly Counter<long> NacksSent = Meter.CreateCounter<long>("nacks_sent", "packets", "Sequence numbers NACKed to senders");
    public static readonly Counter<long> NacksReceived = Meter.CreateCounter<long>("nacks_received", "packets", "Sequence numbers participants NACKed to us");
    public static readonly Counter<long> KeyframeRequestsSent = Meter.CreateCounter<long>("plis_sent", "requests", "Keyframe requests sent to senders");
    public static readonly Counter<long> KeyframeRequestsReceived = Meter.CreateCounter<long>("plis_received", "requests", "Keyframe requests from receivers");
    public static readonly Counter<long> VideoInputRefused = Meter.CreateCounter<long>("video_input_refused", "frames",
        "Keyframes refused because their picture exceeds Mcu:MaxInputWidth/Height");
    public static readonly Counter<long> RetransmissionsRefused = Meter.CreateCounter<long>("retransmissions_refused", "packets",
        "NACKed packets not resent: over the participant's retransmission budget, or resent within the last RTT");
    public static readonly Counter<long> AudioPacketsDropped = Meter.CreateCounter<long>("audio_packets_dropped", "packets",
        "Incoming audio packets that never reached the decoder: too late, too far ahead, or past the receive buffer's depth");
    public static readonly Counter<long> VideoFramesDropped = Meter.CreateCounter<long>("video_frames_dropped", "frames",
        "Incoming video frames dropped because the participant's decode queue was full (the decoder is behind)");
    public static readonly Counter<long> OutputFramesDropped = Meter.CreateCounter<long>("video_output_frames_dropped", "frames",
        "Composited frames not sent to a participant because their send queue was full (the pacer is behind)");
    public static readonly Counter<long> PacketsLost = Meter.CreateCounter<long>("packets_lost", "packets", "Incoming packets given up as lost");
}
