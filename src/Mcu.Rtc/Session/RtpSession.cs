using System.Buffers.Binary;
using System.Text;
using Mcu.Rtc.Rtcp;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Transport;

namespace Mcu.Rtc.Session;

/// <summary>What the session needs to know of a connection's negotiated media.</summary>
public sealed record RtpSessionOptions
{
    /// <summary>Our CNAME, in every report's SDES.</summary>
    public required string Cname { get; init; }

    /// <summary>The negotiated transport-wide sequence number extension, or null when TWCC is off.</summary>
    public int? TransportCcExtensionId { get; init; }

    /// <summary>The peer takes NACKs for the video it sends.</summary>
    public bool VideoNack { get; init; }

    /// <summary>The peer takes REMB for the video it sends.</summary>
    public bool Remb { get; init; }

    /// <summary>The bitrate our REMB asks the peer's video encoder for, until the owner sets <see cref="RtpSession.WantedUplinkBps"/>.</summary>
    public uint WantedUplinkBps { get; init; } = 1_200_000;
}

/// <summary>What a compound RTCP packet from the peer asks of the session's owner.</summary>
/// <param name="KeyframeRequests">PLIs and FIRs: the owner's encoder should send a keyframe.</param>
/// <param name="VideoLoss">The peer's report block about our video stream: the fraction it lost (0–1) and the highest sequence number it has.</param>
/// <param name="AudioFractionLost">The fraction of our audio the peer's report block says it lost (0–1).</param>
public readonly record struct RtcpFeedback(int KeyframeRequests, (double FractionLost, uint ExtendedHighestSequence)? VideoLoss, double? AudioFractionLost = null);

/// <summary>
/// The RTP session of one peer connection (sans-IO, safe to call from the receive loop and the
/// transport's timer at once). Receive half: transport-wide arrival times and the TWCC feedback
/// built from them, the audio stream's statistics, the last sender report heard (LSR/DLSR), the
/// round trip from the report blocks the peer sends back, the video stream's NACKs and keyframe
/// requests (<see cref="IReceiveStreamFeedback"/>). Send half: our <see cref="RtpSendStream"/>s,
/// whose NACKed packets it resends within their budget, and their sender reports.
/// </summary>
/// <remarks>
/// Packets in: <see cref="OnRtp"/> (parsed once by the caller) and <see cref="OnRtcp"/>. Packets
/// out: <see cref="PollRtcp"/>, called on the transport's timer until it returns 0.
/// </remarks>
public sealed class RtpSession
{
    /// <summary>How often TWCC feedback goes out, while packets come.</summary>
    public const int TransportFeedbackIntervalMs = 50;

    /// <summary>The round trip assumed until a report block measures one.</summary>
    public const int DefaultRoundTripMs = 50;

    /// <summary>Sender and receiver reports, SDES and REMB go out this often.</summary>
    public const int ReportIntervalMs = 1000;

    /// <summary>The most sequence numbers one NACK of ours lists.</summary>
    public const int MaxNacksPerPoll = 64;

    /// <summary>How soon a packet is resent again before a round trip has been measured.</summary>
    private const int UnknownRttResendIntervalMs = 100;

    private const int MaxArrivals = 512;

    private readonly RtpSessionOptions _options;
    private readonly byte[] _cname;
    private readonly Lock _lock = new();
    private readonly TransportCcArrival[] _arrivals = new TransportCcArrival[MaxArrivals];
    private readonly ReceiveStatistics _audioStats = new(48_000);
    private readonly ushort[] _nacks = new ushort[MaxNacksPerPoll];
    private int _arrivalCount;
    private byte _feedbackCount;
    private long _lastFeedbackMs = long.MinValue / 2;
    private long _lastReportMs = long.MinValue / 2;
    private uint _lastSrMiddle;      // middle 32 bits of the NTP time in their last SR
    private long _lastSrArrivalMs;
    private bool _audioReceived;

    // PollRtcp's place: 0 = start, then the packets of this poll one by one.
    private int _pollStage;
    private int _pendingNacks;
    private bool _pendingKeyframeRequest;

    public RtpSession(RtpSessionOptions options)
    {
        _options = options;
        _cname = Encoding.ASCII.GetBytes(options.Cname);
        _wantedUplinkBps = options.WantedUplinkBps;
    }

    /// <summary>The video stream we receive, for NACKs, keyframe requests and its report block.</summary>
    public IReceiveStreamFeedback? VideoIn { get; init; }

    /// <summary>The video stream we send: NACKs for it are answered from its history; it gets SRs.</summary>
    public RtpSendStream? VideoOut { get; init; }

    /// <summary>The audio stream we send: it gets SRs.</summary>
    public RtpSendStream? AudioOut { get; init; }

    public bool TransportCc => _options.TransportCcExtensionId is not null;

    /// <summary>What our REMB asks the peer's video encoder for (bit/s), sent with the next reports.</summary>
    public uint WantedUplinkBps
    {
        get => Volatile.Read(ref _wantedUplinkBps);
        set => Volatile.Write(ref _wantedUplinkBps, value);
    }

    private uint _wantedUplinkBps;

    /// <summary>The round trip to the peer, from its report blocks (<see cref="DefaultRoundTripMs"/> until measured).</summary>
    public int RoundTripMs { get; private set; } = DefaultRoundTripMs;

    /// <summary>A report block has measured <see cref="RoundTripMs"/>.</summary>
    public bool RoundTripMeasured { get; private set; }

    public long NacksSent { get; private set; }

    public long KeyframeRequestsSent { get; private set; }

    public long NacksReceived { get; private set; }

    public long KeyframeRequestsReceived { get; private set; }

    /// <summary>Our SSRC as the sender of feedback: the video we send, else the audio, else 1.</summary>
    private uint Self => VideoOut?.Ssrc ?? AudioOut?.Ssrc ?? 1;

    /// <summary>
    /// Any incoming RTP packet (parsed once by the caller): its transport-wide arrival time, and
    /// for audio its statistics (video's are its receive stream's).
    /// </summary>
    public void OnRtp(in RtpPacket rtp, bool audio, long nowMicros)
    {
        lock (_lock)
        {
            if (audio)
            {
                _audioStats.OnPacket(rtp.Ssrc, rtp.SequenceNumber, rtp.Timestamp, nowMicros);
                _audioReceived = true;
            }
            if (_options.TransportCcExtensionId is { } id && rtp.TryGetExtension(id, out var value) && value.Length >= 2 && _arrivalCount < MaxArrivals)
            {
                _arrivals[_arrivalCount++] = new TransportCcArrival(BinaryPrimitives.ReadUInt16BigEndian(value), nowMicros);
            }
        }
    }

    /// <summary>
    /// A compound RTCP packet from the peer. NACKs for our video are answered at once through
    /// <paramref name="connection"/> (from the send stream's history, within its budget); what
    /// the owner must act on comes back.
    /// </summary>
    /// <param name="ntpNow">Now as an NTP timestamp, on the clock our SRs use.</param>
    public RtcpFeedback OnRtcp(RtcConnection? connection, ReadOnlySpan<byte> compound, long nowMs, ulong ntpNow)
    {
        int keyframeRequests = 0;
        (double, uint)? videoLoss = null;
        double? audioLoss = null;
        var reader = new RtcpCompoundReader(compound);
        while (reader.TryReadNext(out var header, out var packet))
        {
            switch (header.PacketType)
            {
                case RtcpPacketType.SenderReport when SenderReport.TryParse(packet, out var sr):
                    lock (_lock)
                    {
                        _lastSrMiddle = (uint)(sr.NtpTimestamp >> 16);
                        _lastSrArrivalMs = nowMs;
                    }
                    for (int i = 0; i < sr.ReportCount; i++)
                    {
                        videoLoss = OnReportBlock(sr.GetReportBlock(i), ntpNow, ref audioLoss) ?? videoLoss;
                    }
                    break;
                case RtcpPacketType.ReceiverReport when ReceiverReport.TryParse(packet, out var rr):
                    for (int i = 0; i < rr.ReportCount; i++)
                    {
                        videoLoss = OnReportBlock(rr.GetReportBlock(i), ntpNow, ref audioLoss) ?? videoLoss;
                    }
                    break;
                case RtcpPacketType.TransportFeedback when header.Count == RtcpPacketType.GenericNackFormat
                                                           && GenericNack.TryParse(packet, out var nack):
                    OnNack(connection, nack);
                    break;
                case RtcpPacketType.PayloadSpecificFeedback when header.Count is RtcpPacketType.PictureLossIndicationFormat
                                                                 or RtcpPacketType.FullIntraRequestFormat:
                    keyframeRequests++;
                    lock (_lock)
                    {
                        KeyframeRequestsReceived++;
                    }
                    break;
            }
        }
        return new RtcpFeedback(keyframeRequests, videoLoss, audioLoss);
    }

    /// <summary>
    /// The next RTCP packet due at <paramref name="nowMs"/> written to <paramref name="destination"/>
    /// (at least 1264 bytes): its length, or 0 when nothing more is due now. Call until 0 on each
    /// timer tick: NACKs and a keyframe request for the video we receive, TWCC feedback every
    /// 50 ms, and every second our SRs (or an RR), receiver report blocks, SDES and REMB.
    /// </summary>
    /// <param name="ntpNow">Now as an NTP timestamp, for our SRs.</param>
    /// <param name="mediaMicros">The media time our streams' RTP timestamps stand for at <paramref name="ntpNow"/>.</param>
    public int PollRtcp(long nowMs, ulong ntpNow, long mediaMicros, Span<byte> destination)
    {
        while (true)
        {
            switch (_pollStage++)
            {
                case 0:
                    _pendingNacks = 0;
                    _pendingKeyframeRequest = false;
                    if (VideoIn is { Ssrc: not 0 } video)
                    {
                        _pendingNacks = video.CollectFeedback(nowMs, RoundTripMs, _nacks, out _pendingKeyframeRequest);
                    }
                    break;
                case 1:
                    if (_pendingNacks > 0 && _options.VideoNack)
                    {
                        NacksSent += _pendingNacks;
                        return new GenericNack(Self, VideoIn!.Ssrc, _nacks.AsSpan(0, _pendingNacks)).WriteTo(destination);
                    }
                    break;
                case 2:
                    if (_pendingKeyframeRequest)
                    {
                        KeyframeRequestsSent++;
                        return new PictureLossIndication(Self, VideoIn!.Ssrc).WriteTo(destination);
                    }
                    break;
                case 3:
                    if (TryWriteTransportFeedback(nowMs, destination) is > 0 and var feedback)
                    {
                        return feedback;
                    }
                    break;
                case 4:
                    if (nowMs - _lastReportMs >= ReportIntervalMs)
                    {
                        _lastReportMs = nowMs;
                        return WriteReports(nowMs, ntpNow, mediaMicros, destination);
                    }
                    break;
                default:
                    _pollStage = 0;
                    return 0;
            }
        }
    }

    /// <summary>
    /// Writes the TWCC feedback for the packets that arrived since the last one, when it is due
    /// (every <see cref="TransportFeedbackIntervalMs"/>); returns its length, 0 when nothing is to go out.
    /// </summary>
    private int TryWriteTransportFeedback(long nowMs, Span<byte> destination)
    {
        uint media = VideoIn?.Ssrc ?? 0;
        lock (_lock)
        {
            if (_options.TransportCcExtensionId is null || nowMs - _lastFeedbackMs < TransportFeedbackIntervalMs)
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
            if (media == 0 && _audioReceived)
            {
                media = _audioStats.Ssrc;
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
            var feedback = new TransportCcFeedbackBuilder(Self, media, _feedbackCount++, batch);
            return feedback.SerializedLength <= destination.Length ? feedback.WriteTo(destination) : 0;
        }
    }

    /// <summary>SRs for the streams we have sent on (else an RR), with the report blocks of what we receive, SDES and REMB.</summary>
    private int WriteReports(long nowMs, ulong ntpNow, long mediaMicros, Span<byte> destination)
    {
        Span<ReportBlock> blocks = stackalloc ReportBlock[2];
        int blockCount = 0;
        uint lsr, dlsr;
        lock (_lock)
        {
            lsr = _lastSrMiddle;
            dlsr = _lastSrArrivalMs == 0 ? 0 : (uint)((nowMs - _lastSrArrivalMs) * 65536 / 1000);
            if (_audioReceived)
            {
                var stats = _audioStats;
                blocks[blockCount++] = new ReportBlock(stats.Ssrc, stats.TakeFractionLost(), (int)Math.Min(stats.CumulativeLost, 0x7FFFFF),
                    stats.ExtendedHighestSequence, stats.Jitter, lsr, dlsr);
            }
        }
        if (VideoIn?.TakeReportBlock(lsr, dlsr) is { } videoBlock)
        {
            blocks[blockCount++] = videoBlock;
        }
        int length = 0;
        bool first = true;
        foreach (var sender in (ReadOnlySpan<RtpSendStream?>)[VideoOut, AudioOut])
        {
            if (sender is null || sender.PacketsSent == 0)
            {
                continue;
            }
            var sr = new SenderReport(sender.Ssrc, ntpNow, sender.TimestampFor(mediaMicros), (uint)sender.PacketsSent,
                (uint)sender.OctetsSent, first ? blocks[..blockCount] : default);
            length += sr.WriteTo(destination[length..]);
            first = false;
        }
        if (first)
        {
            // Nothing sent yet: a receiver report leads the compound packet (RFC 3550 §6.1).
            length += new ReceiverReport(Self, blocks[..blockCount]).WriteTo(destination[length..]);
        }
        length += new SourceDescription(Self, _cname).WriteTo(destination[length..]);
        if (VideoIn is { Ssrc: not 0 } video && _options.Remb)
        {
            Span<uint> ssrcs = [video.Ssrc];
            length += new ReceiverEstimatedMaxBitrate(Self, WantedUplinkBps, ssrcs).WriteTo(destination[length..]);
        }
        return length;
    }

    /// <summary>A report block about one of our streams: measures the round trip when it echoes one of our SRs; the loss of our video and audio goes back to the owner.</summary>
    private (double, uint)? OnReportBlock(in ReportBlock block, ulong ntpNow, ref double? audioLoss)
    {
        if (AudioOut is { } audio && block.Ssrc == audio.Ssrc)
        {
            audioLoss = block.FractionLost / 256.0;
        }
        if (block.LastSenderReport != 0)
        {
            uint nowMiddle = (uint)(ntpNow >> 16);
            uint rttUnits = nowMiddle - block.LastSenderReport - block.DelaySinceLastSenderReport;
            int rtt = (int)(rttUnits * 1000L / 65536);
            if (rtt is >= 0 and < 5000)
            {
                lock (_lock)
                {
                    RoundTripMs = Math.Max(1, rtt);
                    RoundTripMeasured = true;
                }
            }
        }
        return VideoOut is { } video && block.Ssrc == video.Ssrc ? (block.FractionLost / 256.0, block.ExtendedHighestSequence) : null;
    }

    private void OnNack(RtcConnection? connection, in GenericNack nack)
    {
        if (VideoOut is not { } video || nack.MediaSsrc != video.Ssrc)
        {
            return;
        }
        // The send stream's budget bounds the work: a NACK listing our whole history resends a
        // quarter second's worth at most, and a packet again only after a round trip.
        int minIntervalMs = RoundTripMeasured ? RoundTripMs : UnknownRttResendIntervalMs;
        int count = 0;
        foreach (ushort seq in nack.GetLostSequenceNumbers())
        {
            count++;
            if (connection is not null)
            {
                video.Resend(connection, seq, minIntervalMs);
            }
        }
        lock (_lock)
        {
            NacksReceived += count;
        }
    }
}
