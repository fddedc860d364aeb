namespace Mcu.Conference.Mixing;

/// <summary>
/// Picks a participant's output tier from the loss it reports on our video (RTCP RR
/// fraction lost), with hysteresis: step down after sustained loss, step back up only
/// after a long clean spell, never above the ceiling (the room's best tier or a pin).
/// </summary>
/// <remarks>
/// Loss is judged per time window, not per report: the reports that arrive within
/// <see cref="WindowMs"/> make one sample, their fractions weighted by the packets each
/// covers (the growth of the extended highest sequence number). A burst of receiver
/// reports, real or forged, is then one sample, and repeats of one report weigh nothing,
/// so it cannot flip the tier and force keyframes on an encoder that others share.
/// </remarks>
public sealed class TierSelector
{
    /// <summary>Length of one loss sample.</summary>
    public const int WindowMs = 1000;

    private const double DownLoss = 0.10;   // > 10 % lost…
    private const int DownWindows = 3;      // …in 3 windows in a row: step down
    private const double UpLoss = 0.02;     // < 2 % lost…
    private const int UpWindows = 10;       // …in 10 windows in a row: step up

    private int _badRun;
    private int _goodRun;
    private long _windowStartMs;
    private bool _windowOpen;
    private double _lostPackets;
    private long _packets;
    private uint _lastHighest;
    private bool _haveHighest;

    public TierSelector(OutputTier start, OutputTier ceiling)
    {
        Current = start;
        Ceiling = ceiling;
    }

    public OutputTier Current { get; private set; }

    public OutputTier Ceiling { get; private set; }

    /// <summary>A pinned tier is used as it is; unpinning lets loss decide again below the ceiling.</summary>
    public OutputTier? Pinned { get; private set; }

    public void Pin(OutputTier? tier)
    {
        Pinned = tier;
        if (tier is not null)
        {
            Current = tier;
        }
        _badRun = _goodRun = 0;
    }

    /// <summary>
    /// Takes one report block about our video: its fraction lost (0..1) and extended highest
    /// sequence number, received at <paramref name="nowMs"/>. True when the tier changed.
    /// </summary>
    public bool OnLossReport(double fractionLost, uint extendedHighestSequence, long nowMs)
    {
        bool changed = false;
        if (_windowOpen && nowMs - _windowStartMs >= WindowMs)
        {
            changed = CloseWindow();
        }
        if (!_windowOpen)
        {
            _windowOpen = true;
            _windowStartMs = nowMs;
        }
        long covered = 1;
        if (_haveHighest)
        {
            // Packets this report speaks for; a repeat (or an older one) speaks for none.
            int delta = (int)(extendedHighestSequence - _lastHighest);
            covered = Math.Max(0, delta);
        }
        if (!_haveHighest || (int)(extendedHighestSequence - _lastHighest) > 0)
        {
            _lastHighest = extendedHighestSequence;
            _haveHighest = true;
        }
        _lostPackets += Math.Clamp(fractionLost, 0, 1) * covered;
        _packets += covered;
        return changed;
    }

    private bool CloseWindow()
    {
        long packets = _packets;
        double lost = _lostPackets;
        _windowOpen = false;
        _packets = 0;
        _lostPackets = 0;
        if (packets == 0 || Pinned is not null)
        {
            return false;
        }
        double fractionLost = lost / packets;
        if (fractionLost > DownLoss)
        {
            _goodRun = 0;
            if (++_badRun >= DownWindows && Current.Lower is { } lower)
            {
                Current = lower;
                _badRun = 0;
                return true;
            }
        }
        else if (fractionLost < UpLoss)
        {
            _badRun = 0;
            if (++_goodRun >= UpWindows && Current != Ceiling && Current.Higher is { } higher)
            {
                Current = higher;
                _goodRun = 0;
                return true;
            }
        }
        else
        {
            _badRun = _goodRun = 0;
        }
        return false;
    }
}
