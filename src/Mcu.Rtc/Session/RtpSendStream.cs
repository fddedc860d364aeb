using System.Buffers;
using System.Security.Cryptography;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Transport;

namespace Mcu.Rtc.Session;

/// <summary>
/// One outgoing RTP stream to one participant: its own SSRC, sequence numbers and
/// timestamp offset even when the payload comes from an encoder shared with others,
/// a history of what was sent to answer NACKs, and the counts a sender report needs.
/// </summary>
/// <remarks>
/// Retransmission has a budget, so that one RTCP packet listing hundreds of sequence numbers
/// cannot make us resend our whole history: a token bucket filled at this stream's own send
/// rate (a participant may cost at most twice its stream), and each packet at most once per
/// round trip. What is over budget is not sent and is counted.
/// <para>
/// The lock covers the sequence numbers, the history and the counters only: a packet is made
/// under it into a pooled buffer, then protected (SRTP) and sent outside it. A NACK answered
/// on the transport's receive loop so never waits behind a room's send.
/// </para>
/// </remarks>
public sealed class RtpSendStream
{
    private const int MaxPacket = 1200 + 12;
    private const int BufferSize = MaxPacket + 64;   // SRTP protects in place and adds its tag
    private const int HistorySize = 512;   // a power of two: ~0.5 s of video at 1.5 Mbps, more at lower tiers

    /// <summary>The budget before a send rate is known (the first second of the stream): 128 kbit/s.</summary>
    private const double MinBudgetBytesPerSecond = 16_000;

    /// <summary>The bucket holds this many seconds of the send rate: a burst of loss is repaired at once.</summary>
    private const double BudgetBurstSeconds = 0.25;

    private const long RateWindowMs = 1000;

    private readonly Lock _lock = new();
    private readonly byte[]? _history;     // HistorySize slots of MaxPacket bytes, allocated once
    private readonly int[]? _historyLengths;
    private readonly int[]? _historySequence;
    private readonly long[]? _historyResentMs;
    private readonly TimeProvider _time;
    private long _windowStartMs = -1;      // the send rate, over windows of about a second
    private long _windowOctets;            // headers included, originals only
    private double _bytesPerSecond = -1;   // unknown until the first window closes
    private double _tokens = -1;
    private long _tokensAtMs;
    private readonly uint _timestampOffset;
    private ushort _sequence;

    public RtpSendStream(uint ssrc, int payloadType, int clockRate, bool keepHistory, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Ssrc = ssrc;
        PayloadType = payloadType;
        ClockRate = clockRate;
        _sequence = (ushort)RandomNumberGenerator.GetInt32(0, 1 << 16);
        _timestampOffset = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        if (keepHistory)
        {
            _history = new byte[HistorySize * MaxPacket];
            _historyLengths = new int[HistorySize];
            _historySequence = new int[HistorySize];
            _historyResentMs = new long[HistorySize];
            Array.Fill(_historySequence, -1);
        }
    }

    public uint Ssrc { get; }

    public int PayloadType { get; }

    public int ClockRate { get; }

    public long PacketsSent { get; private set; }

    public long OctetsSent { get; private set; }

    public long Retransmissions { get; private set; }

    /// <summary>The sequence number the next packet gets.</summary>
    internal ushort NextSequenceNumber => _sequence;

    /// <summary>NACKed packets still in the history but not resent: over budget, or resent less than an RTT ago.</summary>
    public long RetransmissionsRefused { get; private set; }

    /// <summary>The RTP timestamp of the last packet sent, and the media time (µs) it stood for.</summary>
    public (uint RtpTimestamp, long MediaMicros)? LastSent { get; private set; }

    /// <summary>The RTP timestamp this stream uses for a media time, in microseconds on the room clock.</summary>
    public uint TimestampFor(long mediaMicros) => unchecked(_timestampOffset + (uint)(mediaMicros * ClockRate / 1_000_000));

    /// <summary>Sends one payload as one RTP packet through <paramref name="connection"/>.</summary>
    public bool Send(RtcConnection connection, ReadOnlySpan<byte> payload, long mediaMicros, bool marker)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            return TryWritePacket(payload, mediaMicros, marker, buffer, out int length) && connection.SendRtp(buffer, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Makes the next packet in <paramref name="destination"/> and counts it as sent (history,
    /// counters, rate): everything of <see cref="Send"/> but SRTP and the socket. Tests call it directly.
    /// </summary>
    internal bool TryWritePacket(ReadOnlySpan<byte> payload, long mediaMicros, bool marker, Span<byte> destination, out int length)
    {
        lock (_lock)
        {
            length = 0;
            var header = new RtpHeader
            {
                Marker = marker,
                PayloadType = (byte)PayloadType,
                SequenceNumber = _sequence,
                Timestamp = TimestampFor(mediaMicros),
                Ssrc = Ssrc,
            };
            int headerLength = header.SerializedLength;
            if (headerLength + payload.Length > Math.Min(MaxPacket, destination.Length))
            {
                return false;
            }
            header.WriteTo(destination);
            payload.CopyTo(destination[headerLength..]);
            length = headerLength + payload.Length;
            Remember(_sequence, destination[..length]);
            _sequence++;
            PacketsSent++;
            OctetsSent += payload.Length;
            MeasureRate(length);
            LastSent = (header.Timestamp, mediaMicros);
            return true;
        }
    }

    /// <summary>
    /// Sends a packet again from the history (a NACK) if the budget allows and it was not resent
    /// within <paramref name="minIntervalMs"/> (the round trip); false when it is gone or refused.
    /// </summary>
    public bool Resend(RtcConnection connection, ushort sequenceNumber, int minIntervalMs)
    {
        if (_history is null)
        {
            return false;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            return TryTakeRetransmission(sequenceNumber, minIntervalMs, buffer, out int length) && connection.SendRtp(buffer, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The budget's decision for one NACKed packet: copies it into <paramref name="destination"/>
    /// and charges the budget, or says no (gone from the history, resent less than
    /// <paramref name="minIntervalMs"/> ago, or over budget).
    /// </summary>
    internal bool TryTakeRetransmission(ushort sequenceNumber, int minIntervalMs, Span<byte> destination, out int length)
    {
        length = 0;
        if (_history is null)
        {
            return false;
        }
        lock (_lock)
        {
            int slot = sequenceNumber & (HistorySize - 1);
            if (_historySequence![slot] != sequenceNumber)
            {
                return false;
            }
            int packetLength = _historyLengths![slot];
            long nowMs = NowMs;
            Refill(nowMs);
            if (nowMs - _historyResentMs![slot] < minIntervalMs || _tokens < packetLength)
            {
                RetransmissionsRefused++;
                return false;
            }
            _tokens -= packetLength;
            _historyResentMs[slot] = nowMs;
            _history.AsSpan(slot * MaxPacket, packetLength).CopyTo(destination);
            Retransmissions++;
            length = packetLength;
            return true;
        }
    }

    private long NowMs => _time.GetTimestamp() * 1000 / _time.TimestampFrequency;

    /// <summary>Counts an original packet into this second's send rate. Under the lock.</summary>
    private void MeasureRate(int length)
    {
        long nowMs = NowMs;
        if (_windowStartMs < 0)
        {
            _windowStartMs = nowMs;
        }
        long elapsed = nowMs - _windowStartMs;
        if (elapsed >= RateWindowMs)
        {
            _bytesPerSecond = _windowOctets * 1000.0 / elapsed;
            _windowStartMs = nowMs;
            _windowOctets = 0;
        }
        _windowOctets += length;
    }

    /// <summary>
    /// Tops up the retransmission bucket at the stream's send rate (a floor until a second has
    /// been measured). It holds a quarter second of that, and at least one whole packet. Under the lock.
    /// </summary>
    private void Refill(long nowMs)
    {
        double rate = _bytesPerSecond >= 0 ? _bytesPerSecond : MinBudgetBytesPerSecond;
        double capacity = Math.Max(rate * BudgetBurstSeconds, MaxPacket);
        _tokens = _tokens < 0
            ? capacity
            : Math.Min(capacity, _tokens + rate * Math.Max(0, nowMs - _tokensAtMs) / 1000.0);
        _tokensAtMs = nowMs;
    }

    private void Remember(ushort sequenceNumber, ReadOnlySpan<byte> plainPacket)
    {
        if (_history is null)
        {
            return;
        }
        int slot = sequenceNumber & (HistorySize - 1);
        plainPacket.CopyTo(_history.AsSpan(slot * MaxPacket, MaxPacket));
        _historyLengths![slot] = plainPacket.Length;
        _historySequence![slot] = sequenceNumber;
        _historyResentMs![slot] = long.MinValue / 2;
    }
}
