using System.Text;
using Mcu.Rtc.Rtcp;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Sdp;
using Mcu.Rtc.Session;
using Mcu.Rtc.Transport;

namespace Mcu.Conference.Rooms;

/// <summary>
/// RTCP between the server and one participant. Towards them: NACKs and keyframe
/// requests for what they send, and every second sender reports (NTP ↔ RTP time, so
/// their browser can sync our audio and video), receiver reports and a REMB that lets
/// their encoder use the bandwidth we want. From them: NACKs answered from the send
/// history, keyframe requests passed to the room, loss that moves their output tier.
/// </summary>
internal sealed class ParticipantRtcp
{
    private const int ReportIntervalMs = 1000;
    private const int MaxNacksPerTick = 64;
    private const int MaxRtcp = 1200;
    private const uint WantedUplinkBps = 1_200_000;
    private const int UnknownRttResendIntervalMs = 100;

    private readonly Participant _participant;
    private readonly NegotiatedMedia? _video;
    private readonly byte[] _buffer = new byte[MaxRtcp + 64];
    private readonly ushort[] _nacks = new ushort[MaxNacksPerTick];
    private readonly ReceiveStatistics _audioStats = new(48_000);
    private readonly Lock _lock = new();
    private readonly byte[] _cname;
    private readonly RtpSession _session;   // under _lock
    private long _lastReportMs;
    private long _lostReported;

    public ParticipantRtcp(Participant participant, NegotiatedMedia? video, NegotiatedMedia? audio)
    {
        _participant = participant;
        _video = video;
        _cname = Encoding.ASCII.GetBytes(participant.Cname);
        // Transport-wide congestion control: the sender's estimator needs our arrival times.
        _session = new RtpSession(video is { TransportCc: true } || audio is { TransportCc: true }
            ? video?.TransportCcExtId ?? audio?.TransportCcExtId
            : null);
    }

    public long NacksSent { get; private set; }

    public long KeyframeRequestsSent { get; private set; }

    public long NacksReceived { get; private set; }

    public long KeyframeRequestsReceived { get; private set; }

    public int RoundTripMs
    {
        get
        {
            lock (_lock)
            {
                return _session.RoundTripMs;
            }
        }
    }

    public void OnAudioPacket(in RtpPacket rtp, long nowMs)
    {
        lock (_lock)
        {
            _audioStats.OnPacket(rtp.Ssrc, rtp.SequenceNumber, rtp.Timestamp, nowMs * 1000);
            _session.OnPacket(rtp, _participant.Room.NowMicros);
        }
    }

    /// <summary>A video packet's transport-wide arrival; its statistics are its receive stream's.</summary>
    public void OnVideoPacket(in RtpPacket rtp)
    {
        lock (_lock)
        {
            _session.OnPacket(rtp, _participant.Room.NowMicros);
        }
    }

    public void OnRtcp(RtcConnection connection, ReadOnlySpan<byte> compound, long nowMs)
    {
        var reader = new RtcpCompoundReader(compound);
        while (reader.TryReadNext(out var header, out var packet))
        {
            switch (header.PacketType)
            {
                case RtcpPacketType.SenderReport when SenderReport.TryParse(packet, out var sr):
                    lock (_lock)
                    {
                        _session.OnSenderReport(sr.NtpTimestamp, nowMs);
                    }
                    for (int i = 0; i < sr.ReportCount; i++)
                    {
                        OnReportBlock(sr.GetReportBlock(i), nowMs);
                    }
                    break;
                case RtcpPacketType.ReceiverReport when ReceiverReport.TryParse(packet, out var rr):
                    for (int i = 0; i < rr.ReportCount; i++)
                    {
                        OnReportBlock(rr.GetReportBlock(i), nowMs);
                    }
                    break;
                case RtcpPacketType.TransportFeedback when header.Count == RtcpPacketType.GenericNackFormat
                                                           && GenericNack.TryParse(packet, out var nack):
                    OnNack(connection, nack);
                    break;
                case RtcpPacketType.PayloadSpecificFeedback when header.Count is RtcpPacketType.PictureLossIndicationFormat
                                                                 or RtcpPacketType.FullIntraRequestFormat:
                    KeyframeRequestsReceived++;
                    McuMetrics.KeyframeRequestsReceived.Add(1);
                    _participant.RequestKeyframeFromRoom();
                    break;
            }
        }
    }

    /// <summary>Called every audio tick (20 ms).</summary>
    public void Service(RtcConnection connection, long nowMs)
    {
        var video = _participant.VideoIn;
        if (video is not null && video.Ssrc != 0)
        {
            long lost = video.PacketsLost;
            if (lost > _lostReported)
            {
                McuMetrics.PacketsLost.Add(lost - _lostReported);
                _lostReported = lost;
            }
            int count = video.Service(nowMs, RoundTripMs, _nacks, out bool keyframe);
            uint self = _participant.VideoOut?.Ssrc ?? _participant.AudioOut?.Ssrc ?? 1;
            if (count > 0 && _video is { Nack: true })
            {
                var nack = new GenericNack(self, video.Ssrc, _nacks.AsSpan(0, count));
                int length = nack.WriteTo(_buffer);
                connection.SendRtcp(_buffer, length);
                NacksSent += count;
                McuMetrics.NacksSent.Add(count);
            }
            if (keyframe)
            {
                var pli = new PictureLossIndication(self, video.Ssrc);
                int length = pli.WriteTo(_buffer);
                connection.SendRtcp(_buffer, length);
                KeyframeRequestsSent++;
                McuMetrics.KeyframeRequestsSent.Add(1);
            }
        }
        if (_session.TransportCc)
        {
            uint self = _participant.VideoOut?.Ssrc ?? _participant.AudioOut?.Ssrc ?? 1;
            uint media = _participant.VideoIn?.Ssrc ?? _participant.AudioIn?.Ssrc ?? 0;
            int length;
            lock (_lock)
            {
                length = _session.TryWriteTransportFeedback(nowMs, self, media, _buffer);
            }
            if (length > 0)
            {
                connection.SendRtcp(_buffer, length);
            }
        }
        if (nowMs - _lastReportMs >= ReportIntervalMs)
        {
            _lastReportMs = nowMs;
            SendReports(connection, nowMs);
        }
    }

    private void SendReports(RtcConnection connection, long nowMs)
    {
        Span<ReportBlock> blocks = stackalloc ReportBlock[2];
        int blockCount = 0;
        uint lsr, dlsr;
        lock (_lock)
        {
            (lsr, dlsr) = _session.SenderReportEcho(nowMs);
            if (_participant.AudioIn is { Ssrc: not 0 })
            {
                blocks[blockCount++] = Block(_audioStats, lsr, dlsr);
            }
        }
        if (_participant.VideoIn?.TakeReportBlock(lsr, dlsr) is { } videoBlock)
        {
            blocks[blockCount++] = videoBlock;
        }
        var span = _buffer.AsSpan();
        int length = 0;
        ulong ntp = _participant.Room.NtpNow(out long mediaMicros);
        bool first = true;
        foreach (var sender in new[] { _participant.VideoOut, _participant.AudioOut })
        {
            if (sender is null || sender.PacketsSent == 0)
            {
                continue;
            }
            var sr = new SenderReport(sender.Ssrc, ntp, sender.TimestampFor(mediaMicros), (uint)sender.PacketsSent,
                (uint)sender.OctetsSent, first ? blocks[..blockCount] : default);
            length += sr.WriteTo(span[length..]);
            first = false;
        }
        uint self = _participant.VideoOut?.Ssrc ?? _participant.AudioOut?.Ssrc ?? 1;
        if (first)
        {
            // Nothing sent yet: a receiver report leads the compound packet (RFC 3550 §6.1).
            length += new ReceiverReport(self, blocks[..blockCount]).WriteTo(span[length..]);
        }
        length += new SourceDescription(self, _cname).WriteTo(span[length..]);
        if (_participant.VideoIn is { Ssrc: not 0 } video && _video is { GoogRemb: true })
        {
            Span<uint> ssrcs = [video.Ssrc];
            length += new ReceiverEstimatedMaxBitrate(self, WantedUplinkBps, ssrcs).WriteTo(span[length..]);
        }
        connection.SendRtcp(_buffer, length);
    }

    private static ReportBlock Block(ReceiveStatistics stats, uint lsr, uint dlsr) =>
        new(stats.Ssrc, stats.TakeFractionLost(), (int)Math.Min(stats.CumulativeLost, 0x7FFFFF),
            stats.ExtendedHighestSequence, stats.Jitter, lsr, dlsr);

    private void OnReportBlock(ReportBlock block, long nowMs)
    {
        var videoOut = _participant.VideoOut;
        ulong ntpNow = _participant.Room.NtpNow(out _);
        lock (_lock)
        {
            _session.OnReportBlock(block, ntpNow);
        }
        if (block.Ssrc == _participant.AudioOut?.Ssrc)
        {
            _participant.AudioDownlink?.OnLossReport(block.FractionLost / 256.0);
        }
        if (videoOut is not null && block.Ssrc == videoOut.Ssrc && _participant.Tiers.OnLossReport(block.FractionLost / 256.0, block.ExtendedHighestSequence, nowMs))
        {
            _participant.RequestKeyframeFromRoom();
        }
    }

    private void OnNack(RtcConnection connection, in GenericNack nack)
    {
        var videoOut = _participant.VideoOut;
        if (videoOut is null || nack.MediaSsrc != videoOut.Ssrc)
        {
            return;
        }
        // The sender's budget bounds the work: a NACK listing our whole history resends a
        // quarter second's worth at most, and a packet again only after a round trip.
        int minIntervalMs;
        lock (_lock)
        {
            minIntervalMs = _session.RoundTripMeasured ? _session.RoundTripMs : UnknownRttResendIntervalMs;
        }
        long refusedBefore = videoOut.RetransmissionsRefused;
        int count = 0;
        foreach (ushort seq in nack.GetLostSequenceNumbers())
        {
            count++;
            videoOut.Resend(connection, seq, minIntervalMs);
        }
        NacksReceived += count;
        McuMetrics.NacksReceived.Add(count);
        McuMetrics.RetransmissionsRefused.Add(videoOut.RetransmissionsRefused - refusedBefore);
    }
}
