using Mcu.Rtc.Packetization;

namespace Mcu.Conference.Send;

/// <summary>
/// Sends one encoded frame's packets to every subscriber of an output. A small frame goes
/// at once; a large one (a keyframe) goes in bursts about a millisecond apart, spread over
/// at most <see cref="MaxSpreadMs"/>, so it does not hit the receivers' links (and their
/// routers' queues) as one burst of dozens of packets.
/// </summary>
internal sealed class FramePacer
{
    public const int MaxSpreadMs = 10;
    private const int BurstPackets = 8;
    private const int MaxPackets = 256;

    private readonly int _maxPayload;
    private readonly TimeProvider _time;
    private readonly Action _waitOneMs;
    private readonly byte[] _packets;
    private readonly int[] _lengths = new int[MaxPackets];
    private readonly bool[] _markers = new bool[MaxPackets];

    /// <param name="time">The clock bursts are timed by; tests pass one that <paramref name="waitOneMs"/> moves.</param>
    /// <param name="waitOneMs">Waits about a millisecond (default: <c>Thread.Sleep(1)</c>, the finest sleep the OS gives).</param>
    public FramePacer(int maxPayload, TimeProvider? time = null, Action? waitOneMs = null)
    {
        _maxPayload = maxPayload;
        _time = time ?? TimeProvider.System;
        _waitOneMs = waitOneMs ?? (() => Thread.Sleep(1));
        _packets = new byte[MaxPackets * maxPayload];
    }

    public long PacedFrames { get; private set; }

    /// <summary>Where a paced packet goes: to subscriber <c>index</c> of <c>count</c>.</summary>
    public delegate void PacketSink(int subscriber, ReadOnlySpan<byte> payload, bool marker);

    /// <summary>Drains <paramref name="packetizer"/> (begun on a frame) to <paramref name="subscribers"/> sinks.</summary>
    public void Send(IRtpPacketizer packetizer, int subscribers, PacketSink sink)
    {
        int count = 0;
        while (count < MaxPackets && packetizer.TryNext(_packets.AsSpan(count * _maxPayload, _maxPayload), out int length, out bool marker))
        {
            _lengths[count] = length;
            _markers[count] = marker;
            count++;
        }
        int burst = Math.Max(BurstPackets, (count + MaxSpreadMs - 1) / MaxSpreadMs);
        if (count > burst)
        {
            PacedFrames++;
        }
        long start = _time.GetTimestamp();
        for (int first = 0, round = 0; first < count; first += burst, round++)
        {
            // Round r leaves r ms after the first.
            while (round > 0 && _time.GetElapsedTime(start).TotalMilliseconds < round)
            {
                _waitOneMs();
            }
            int end = Math.Min(count, first + burst);
            for (int s = 0; s < subscribers; s++)
            {
                for (int i = first; i < end; i++)
                {
                    sink(s, _packets.AsSpan(i * _maxPayload, _lengths[i]), _markers[i]);
                }
            }
        }
        // A frame beyond the slots (a huge keyframe) sends its tail directly.
        var spill = _packets.AsSpan(0, _maxPayload);
        while (count == MaxPackets && packetizer.TryNext(spill, out int length, out bool marker))
        {
            for (int s = 0; s < subscribers; s++)
            {
                sink(s, spill[..length], marker);
            }
        }
    }
}
