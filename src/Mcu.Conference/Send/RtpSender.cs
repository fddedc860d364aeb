using System.Security.Cryptography;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Srtp;
using Mcu.Rtc.Transport;

namespace Mcu.Conference.Send;

/// <summary>
/// One outgoing RTP stream to one participant: its own SSRC, sequence numbers and
/// timestamp offset even when the payload comes from an encoder shared with others,
/// a history of what was sent to answer NACKs, and the counts a sender report needs.
/// </summary>
public sealed class RtpSender
{
    private const int MaxPacket = 1200 + 12;
    private const int HistorySize = 512;   // a power of two: ~0.5 s of video at 1.5 Mbps, more at lower tiers

    private readonly Lock _lock = new();
    private readonly byte[] _scratch = new byte[MaxPacket + 64];
    private readonly byte[]? _history;     // HistorySize slots of MaxPacket bytes, allocated once
    private readonly int[]? _historyLengths;
    private readonly int[]? _historySequence;
    private readonly uint _timestampOffset;
    private ushort _sequence;

    public RtpSender(uint ssrc, int payloadType, int clockRate, bool keepHistory)
    {
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
            Array.Fill(_historySequence, -1);
        }
    }

    public uint Ssrc { get; }

    public int PayloadType { get; }

    public int ClockRate { get; }

    public long PacketsSent { get; private set; }

    public long OctetsSent { get; private set; }

    public long Retransmissions { get; private set; }

    /// <summary>The RTP timestamp of the last packet sent, and the media time (µs) it stood for.</summary>
    public (uint RtpTimestamp, long MediaMicros)? LastSent { get; private set; }

    /// <summary>The RTP timestamp this stream uses for a media time, in microseconds on the room clock.</summary>
    public uint TimestampFor(long mediaMicros) => unchecked(_timestampOffset + (uint)(mediaMicros * ClockRate / 1_000_000));

    /// <summary>Sends one payload as one RTP packet through <paramref name="connection"/>.</summary>
    public bool Send(RtcConnection connection, ReadOnlySpan<byte> payload, long mediaMicros, bool marker)
    {
        lock (_lock)
        {
            var header = new RtpHeader
            {
                Marker = marker,
                PayloadType = (byte)PayloadType,
                SequenceNumber = _sequence,
                Timestamp = TimestampFor(mediaMicros),
                Ssrc = Ssrc,
            };
            int headerLength = header.WriteTo(_scratch);
            if (headerLength + payload.Length > MaxPacket)
            {
                return false;
            }
            payload.CopyTo(_scratch.AsSpan(headerLength));
            int length = headerLength + payload.Length;
            Remember(_sequence, _scratch.AsSpan(0, length));
            _sequence++;
            PacketsSent++;
            OctetsSent += payload.Length;
            LastSent = (header.Timestamp, mediaMicros);
            return connection.SendRtp(_scratch, length);
        }
    }

    /// <summary>Sends a packet again from the history (a NACK); false when it is gone.</summary>
    public bool Resend(RtcConnection connection, ushort sequenceNumber)
    {
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
            int length = _historyLengths![slot];
            _history.AsSpan(slot * MaxPacket, length).CopyTo(_scratch);
            Retransmissions++;
            return connection.SendRtp(_scratch, length);
        }
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
    }
}
