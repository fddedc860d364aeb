using Mcu.Rtc.Peer;
using Mcu.Rtc.Transport;

namespace Mcu.Rtc.Client;

/// <summary>
/// A lossy network for the client role, in the client: a fraction of the RTP packets it sends
/// (uplink) and receives (downlink) is dropped at random, each way from its own seeded random
/// sequence so runs repeat. RTCP always passes, as feedback usually does on a lossy link.
/// Fractions change at any time; safe from the sending and the receiving thread at once.
/// </summary>
public sealed class LossSwitch
{
    private readonly Random _uplinkRandom;
    private readonly Random _downlinkRandom;
    private double _uplink;
    private double _downlink;
    private long _uplinkDropped;
    private long _downlinkDropped;

    public LossSwitch(int seed = 7)
    {
        _uplinkRandom = new Random(seed);
        _downlinkRandom = new Random(seed + 1);
    }

    /// <summary>Fraction of sent RTP packets dropped, 0..1.</summary>
    public double Uplink
    {
        get => Volatile.Read(ref _uplink);
        set => Volatile.Write(ref _uplink, Check(value));
    }

    /// <summary>Fraction of received RTP packets dropped, 0..1.</summary>
    public double Downlink
    {
        get => Volatile.Read(ref _downlink);
        set => Volatile.Write(ref _downlink, Check(value));
    }

    public long UplinkDropped => Interlocked.Read(ref _uplinkDropped);

    public long DownlinkDropped => Interlocked.Read(ref _downlinkDropped);

    /// <summary>Whether the packet being sent now is lost.</summary>
    public bool DropUplink() => Drop(_uplinkRandom, Uplink, ref _uplinkDropped);

    /// <summary>Whether the packet received now is lost.</summary>
    public bool DropDownlink() => Drop(_downlinkRandom, Downlink, ref _downlinkDropped);

    /// <summary>Puts the downlink loss between the transport and <paramref name="handler"/>.</summary>
    internal IRtcConnectionHandler Wrap(IRtcConnectionHandler handler) => new LossyHandler(this, handler);

    private static bool Drop(Random random, double fraction, ref long dropped)
    {
        if (fraction <= 0)
        {
            return false;
        }
        bool lost;
        lock (random)
        {
            lost = random.NextDouble() < fraction;
        }
        if (lost)
        {
            Interlocked.Increment(ref dropped);
        }
        return lost;
    }

    private static double Check(double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fraction, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1);
        return fraction;
    }

    private sealed class LossyHandler(LossSwitch loss, IRtcConnectionHandler inner) : IRtcConnectionHandler
    {
        public void OnStateChanged(RtcConnection connection, PeerState state) => inner.OnStateChanged(connection, state);

        public void OnRtp(RtcConnection connection, Span<byte> packet)
        {
            if (!loss.DropDownlink())
            {
                inner.OnRtp(connection, packet);
            }
        }

        public void OnRtcp(RtcConnection connection, Span<byte> packet) => inner.OnRtcp(connection, packet);
    }
}
