using System.Diagnostics;

namespace Mcu.Rtc.Rtp;

/// <summary>
/// Reorders one SSRC's RTP packets and finds the lost ones, sans-IO: packets and the
/// time go in, packets in sequence order and NACK lists come out.
/// <para>
/// A packet waits while an earlier one is missing, for at most <see cref="MaxWaitMs"/>;
/// meanwhile the missing sequence numbers are NACKed (RFC 4585 §6.2.1), first after
/// <see cref="NackDelayMs"/> (reordering is common and short), then every round-trip
/// time, at most <see cref="MaxNackRetries"/> times. When the wait runs out the gap is
/// skipped and <see cref="JitterPacket.AfterGap"/> tells the consumer a packet is gone,
/// so a frame assembler drops the broken frame and asks for a keyframe.
/// </para>
/// Packets are copied once into slots allocated up front: nothing is allocated per packet.
/// </summary>
public sealed class JitterBuffer
{
    private const int Capacity = 1024; // a power of two, > the packets of several keyframes
    private const int SlotSize = 1500;

    private readonly Slot[] _slots = new Slot[Capacity];
    private bool _started;
    private ushort _next;        // the next sequence number to hand out
    private ushort _highest;     // the highest sequence number received
    private bool _gapPending;

    public JitterBuffer()
    {
        for (int i = 0; i < Capacity; i++)
        {
            _slots[i] = new Slot();
        }
    }

    /// <summary>Longest a packet waits for a missing predecessor before the gap is skipped.</summary>
    public int MaxWaitMs { get; set; } = 250;

    /// <summary>How long a gap may be plain reordering before it is NACKed.</summary>
    public int NackDelayMs { get; set; } = 10;

    /// <summary>Round-trip time, from RTCP; NACK retries wait this long.</summary>
    public int RoundTripMs { get; set; } = 50;

    public int MaxNackRetries { get; set; } = 3;

    public long PacketsReceived { get; private set; }

    public long PacketsLost { get; private set; }

    public long DuplicatesOrLate { get; private set; }

    /// <summary>
    /// Stores a packet, or only its payload with the header fields a frame assembler needs
    /// (<paramref name="timestamp"/>, <paramref name="marker"/>), so it is not parsed again on the
    /// way out. False when it is a duplicate, too old or too big.
    /// </summary>
    public bool Insert(ReadOnlySpan<byte> packet, ushort sequenceNumber, long nowMs, uint timestamp = 0, bool marker = false)
    {
        if (packet.Length > SlotSize)
        {
            return false;
        }
        if (!_started)
        {
            _started = true;
            _next = sequenceNumber;
            _highest = sequenceNumber;
        }
        int ahead = (short)(sequenceNumber - _next);
        if (ahead >= Capacity || ahead < -Capacity)
        {
            // A jump larger than we can hold (a restarted sender, or a long outage): start over from here.
            Reset(sequenceNumber);
        }
        else if (ahead < 0)
        {
            DuplicatesOrLate++;
            return false;
        }
        var slot = _slots[sequenceNumber & (Capacity - 1)];
        if (slot.Present && slot.SequenceNumber == sequenceNumber)
        {
            DuplicatesOrLate++;
            return false;
        }
        if ((short)(sequenceNumber - _highest) > 0)
        {
            // Everything between the old highest and this one is missing for now.
            for (ushort s = (ushort)(_highest + 1); s != sequenceNumber; s++)
            {
                _slots[s & (Capacity - 1)].MarkMissing(s, nowMs);
            }
            _highest = sequenceNumber;
        }
        packet.CopyTo(slot.Data);
        slot.Length = packet.Length;
        slot.SequenceNumber = sequenceNumber;
        slot.Timestamp = timestamp;
        slot.Marker = marker;
        slot.Present = true;
        slot.ArrivedMs = nowMs;
        PacketsReceived++;
        return true;
    }

    /// <summary>
    /// The next packet in sequence order, if it is here or the wait for a missing one is over.
    /// The packet's bytes stay valid until the next <see cref="Insert"/>.
    /// </summary>
    public bool TryDequeue(long nowMs, out JitterPacket packet)
    {
        while (_started && (short)(_highest - _next) >= 0)
        {
            var slot = _slots[_next & (Capacity - 1)];
            if (slot.Present && slot.SequenceNumber == _next)
            {
                slot.Present = false;
                packet = new JitterPacket(slot.Data.AsSpan(0, slot.Length), _next, _gapPending, slot.Timestamp, slot.Marker);
                _gapPending = false;
                _next++;
                return true;
            }
            // _next is missing: give up on it only when a later packet has waited long enough.
            if (!OldestWaitingExpired(nowMs))
            {
                break;
            }
            PacketsLost++;
            _gapPending = true;
            _next++;
        }
        packet = default;
        return false;
    }

    /// <summary>Writes the sequence numbers to NACK now into <paramref name="destination"/>; returns how many.</summary>
    public int CollectNacks(long nowMs, Span<ushort> destination)
    {
        int count = 0;
        if (!_started)
        {
            return 0;
        }
        for (ushort s = _next; (short)(_highest - s) > 0 && count < destination.Length; s++)
        {
            var slot = _slots[s & (Capacity - 1)];
            if (slot.Present || slot.SequenceNumber != s || slot.NackCount >= MaxNackRetries)
            {
                continue;
            }
            long due = slot.NackCount == 0 ? slot.MissingSinceMs + NackDelayMs : slot.LastNackMs + Math.Max(RoundTripMs, 20);
            if (nowMs >= due)
            {
                slot.NackCount++;
                slot.LastNackMs = nowMs;
                destination[count++] = s;
            }
        }
        return count;
    }

    /// <summary>Forgets everything, e.g. after a keyframe request made the buffered packets useless.</summary>
    public void Reset(ushort nextSequenceNumber)
    {
        foreach (var slot in _slots)
        {
            slot.Present = false;
            slot.NackCount = 0;
        }
        _next = nextSequenceNumber;
        _highest = (ushort)(nextSequenceNumber - 1);
        _gapPending = true;
    }

    private bool OldestWaitingExpired(long nowMs)
    {
        // The first present packet after the hole: how long has it been waiting?
        for (ushort s = (ushort)(_next + 1); (short)(_highest - s) >= 0; s++)
        {
            var slot = _slots[s & (Capacity - 1)];
            if (slot.Present && slot.SequenceNumber == s)
            {
                return nowMs - slot.ArrivedMs >= MaxWaitMs || AllRetriesSpent(nowMs);
            }
        }
        return false;
    }

    private bool AllRetriesSpent(long nowMs)
    {
        var hole = _slots[_next & (Capacity - 1)];
        return hole.NackCount >= MaxNackRetries && nowMs - hole.LastNackMs >= Math.Max(RoundTripMs, 20);
    }

    private sealed class Slot
    {
        public readonly byte[] Data = new byte[SlotSize];
        public int Length;
        public ushort SequenceNumber;
        public uint Timestamp;
        public bool Marker;
        public bool Present;
        public long ArrivedMs;
        public long MissingSinceMs;
        public long LastNackMs;
        public int NackCount;

        public void MarkMissing(ushort sequenceNumber, long nowMs)
        {
            Debug.Assert(!Present || SequenceNumber != sequenceNumber);
            Present = false;
            SequenceNumber = sequenceNumber;
            MissingSinceMs = nowMs;
            NackCount = 0;
            LastNackMs = 0;
        }
    }
}

/// <summary>A packet handed out in order; <see cref="Data"/> is valid until the next insert.</summary>
public readonly ref struct JitterPacket
{
    public JitterPacket(ReadOnlySpan<byte> data, ushort sequenceNumber, bool afterGap, uint timestamp = 0, bool marker = false)
    {
        Data = data;
        SequenceNumber = sequenceNumber;
        AfterGap = afterGap;
        Timestamp = timestamp;
        Marker = marker;
    }

    /// <summary>The RTP timestamp given to <see cref="JitterBuffer.Insert"/>.</summary>
    public uint Timestamp { get; }

    /// <summary>The RTP marker bit given to <see cref="JitterBuffer.Insert"/>.</summary>
    public bool Marker { get; }

    public ReadOnlySpan<byte> Data { get; }

    public ushort SequenceNumber { get; }

    /// <summary>At least one packet before this one was given up as lost.</summary>
    public bool AfterGap { get; }
}
