using System.Buffers.Binary;
using Mcu.Rtc.Rtcp;
using Mcu.Rtc.Rtp;

namespace Mcu.Rtc.Session;

/// <summary>
/// The RTP session of one peer connection, receive half (sans-IO, one caller at a time: the owner
/// locks): transport-wide arrival times of every packet and the feedback (TWCC) built from them,
/// the last sender report heard (for the LSR/DLSR of our reports) and the round trip measured
/// from the report blocks the peer sends back.
/// </summary>
/// <remarks>
/// The per-SSRC receive work is <see cref="RtpReceiveStream"/>'s. Still in Mcu.Conference: the
/// send streams (history, NACK answers, SR) and the timer that calls <see cref="TryWriteTransportFeedback"/>.
/// </remarks>
public sealed class RtpSession
{
    /// <summary>How often TWCC feedback goes out, while packets come.</summary>
    public const int TransportFeedbackIntervalMs = 50;

    /// <summary>The round trip assumed until a report block measures one.</summary>
    public const int DefaultRoundTripMs = 50;

    private const int MaxArrivals = 512;

    private readonly int? _transportCcExtensionId;
    private readonly TransportCcArrival[] _arrivals = new TransportCcArrival[MaxArrivals];
    private int _arrivalCount;
    private byte _feedbackCount;
    private long _lastFeedbackMs = long.MinValue / 2;
    private uint _lastSrMiddle;      // middle 32 bits of the NTP time in their last SR
    private long _lastSrArrivalMs;

    /// <param name="transportCcExtensionId">The negotiated transport-wide sequence number extension, or null when TWCC is off.</param>
    public RtpSession(int? transportCcExtensionId) => _transportCcExtensionId = transportCcExtensionId;

    public bool TransportCc => _transportCcExtensionId is not null;

    /// <summary>The round trip to the peer, from its report blocks (<see cref="DefaultRoundTripMs"/> until measured).</summary>
    public int RoundTripMs { get; private set; } = DefaultRoundTripMs;

    /// <summary>A report block has measured <see cref="RoundTripMs"/>.</summary>
    public bool RoundTripMeasured { get; private set; }

    /// <summary>Any incoming RTP packet (parsed once by the caller): its transport-wide arrival time.</summary>
    public void OnPacket(in RtpPacket rtp, long nowMicros)
    {
        if (_transportCcExtensionId is { } id && rtp.TryGetExtension(id, out var value) && value.Length >= 2 && _arrivalCount < MaxArrivals)
        {
            _arrivals[_arrivalCount++] = new TransportCcArrival(BinaryPrimitives.ReadUInt16BigEndian(value), nowMicros);
        }
    }

    /// <summary>
    /// Writes the TWCC feedback for the packets that arrived since the last one, when it is due
    /// (every <see cref="TransportFeedbackIntervalMs"/>); returns its length, 0 when nothing is to go out.
    /// </summary>
    public int TryWriteTransportFeedback(long nowMs, uint senderSsrc, uint mediaSsrc, Span<byte> destination)
    {
        if (_transportCcExtensionId is null || nowMs - _lastFeedbackMs < TransportFeedbackIntervalMs)
        {
            return 0;
        }
        _lastFeedbackMs = nowMs;
        var batch = _arrivals.AsSpan(0, _arrivalCount);
        _arrivalCount = 0;
        if (batch.IsEmpty)
        {
            return 0;
        }
        ushort first = batch[0].SequenceNumber;
        foreach (var a in batch)
        {
            if ((short)(a.SequenceNumber - first) < 0)
            {
                first = a.SequenceNumber;
            }
        }
        // In sequence order (wrap-aware), as the feedback packet lists them.
        batch.Sort((a, b) => ((short)(a.SequenceNumber - first)).CompareTo((short)(b.SequenceNumber - first)));
        var feedback = new TransportCcFeedbackBuilder(senderSsrc, mediaSsrc, _feedbackCount++, batch);
        return feedback.SerializedLength <= destination.Length ? feedback.WriteTo(destination) : 0;
    }

    /// <summary>A sender report from the peer: our next report blocks answer it (LSR, DLSR).</summary>
    public void OnSenderReport(ulong ntpTimestamp, long nowMs)
    {
        _lastSrMiddle = (uint)(ntpTimestamp >> 16);
        _lastSrArrivalMs = nowMs;
    }

    /// <summary>The LSR and DLSR fields of our next report blocks (RFC 3550 §6.4.1).</summary>
    public (uint LastSenderReport, uint DelaySinceLastSenderReport) SenderReportEcho(long nowMs) =>
        (_lastSrMiddle, _lastSrArrivalMs == 0 ? 0 : (uint)((nowMs - _lastSrArrivalMs) * 65536 / 1000));

    /// <summary>A report block about one of our streams: measures the round trip when it echoes one of our SRs.</summary>
    public void OnReportBlock(in ReportBlock block, ulong ntpNow)
    {
        if (block.LastSenderReport == 0)
        {
            return;
        }
        uint nowMiddle = (uint)(ntpNow >> 16);
        uint rttUnits = nowMiddle - block.LastSenderReport - block.DelaySinceLastSenderReport;
        int rtt = (int)(rttUnits * 1000L / 65536);
        if (rtt is >= 0 and < 5000)
        {
            RoundTripMs = Math.Max(1, rtt);
            RoundTripMeasured = true;
        }
    }
}
