using System.Diagnostics;
using Mcu.Rtc.Packetization;

namespace Mcu.Conference.Send;

/// <summary>
/// One encoded frame cut into RTP payloads once, shared by the send queues of every
/// subscriber of an output (each sends them under its own SSRC and sequence numbers).
/// Reference-counted: the output holds one reference while it hands the frame out, each
/// queue one until it has sent the last packet; the last release returns it to its pool.
/// </summary>
internal sealed class PacedFrame
{
    /// <summary>A frame goes in rounds a millisecond apart, at most this many.</summary>
    public const int MaxRounds = 10;

    /// <summary>Packets a round sends at least: a frame of up to this many goes at once.</summary>
    public const int MinBurst = 8;

    private readonly PacedFramePool _pool;
    private byte[] _data = [];
    private int[] _ends = [];      // where each packet ends in _data
    private bool[] _markers = [];
    private int _references;

    public PacedFrame(PacedFramePool pool) => _pool = pool;

    public int Count { get; private set; }

    /// <summary>Packets per round: every frame is spread over at most <see cref="MaxRounds"/> rounds.</summary>
    public int Burst { get; private set; }

    /// <summary>The frame's time on the room's media clock (µs), for the RTP timestamp.</summary>
    public long MediaMicros { get; private set; }

    public ReadOnlySpan<byte> Packet(int index)
    {
        int start = index == 0 ? 0 : _ends[index - 1];
        return _data.AsSpan(start, _ends[index] - start);
    }

    public bool Marker(int index) => _markers[index];

    /// <summary>Cuts <paramref name="encoded"/> into payloads; the caller holds the one reference.</summary>
    public void Fill(IRtpPacketizer packetizer, ReadOnlySpan<byte> encoded, long mediaMicros)
    {
        Debug.Assert(Volatile.Read(ref _references) == 0, "a frame is filled only from the pool");
        int maxPayload = packetizer.MaxPayloadSize;
        packetizer.Begin(encoded);
        int count = 0, used = 0;
        while (true)
        {
            Grow(count + 1, used + maxPayload);
            if (!packetizer.TryNext(_data.AsSpan(used, maxPayload), out int length, out bool marker))
            {
                break;
            }
            used += length;
            _ends[count] = used;
            _markers[count] = marker;
            count++;
        }
        Count = count;
        Burst = Math.Max(MinBurst, (count + MaxRounds - 1) / MaxRounds);
        MediaMicros = mediaMicros;
        _references = 1;
    }

    public void AddRef() => Interlocked.Increment(ref _references);

    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        Debug.Assert(left >= 0, "released more often than referenced");
        if (left == 0)
        {
            _pool.Return(this);
        }
    }

    /// <summary>Room for <paramref name="packets"/> packets and <paramref name="bytes"/> bytes; grows by doubling, so rarely.</summary>
    private void Grow(int packets, int bytes)
    {
        if (_ends.Length < packets)
        {
            int size = Math.Max(packets, _ends.Length * 2);
            Array.Resize(ref _ends, size);
            Array.Resize(ref _markers, size);
        }
        if (_data.Length < bytes)
        {
            Array.Resize(ref _data, Math.Max(bytes, _data.Length * 2));
        }
    }
}

/// <summary>An output's spare <see cref="PacedFrame"/>s: as many as it has in flight at once, reused.</summary>
internal sealed class PacedFramePool
{
    private readonly Lock _lock = new();
    private readonly Stack<PacedFrame> _free = new();

    public PacedFrame Rent()
    {
        lock (_lock)
        {
            if (_free.TryPop(out var frame))
            {
                return frame;
            }
        }
        return new PacedFrame(this);
    }

    public void Return(PacedFrame frame)
    {
        lock (_lock)
        {
            _free.Push(frame);
        }
    }
}
