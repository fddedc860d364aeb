namespace Mcu.Conference.Mixing;

/// <summary>
/// Picks a participant's output tier from the loss it reports on our video (RTCP RR
/// fraction lost), with hysteresis: step down after sustained loss, step back up only
/// after a long clean spell, never above the ceiling (the room's best tier or a pin).
/// </summary>
public sealed class TierSelector
{
    private const double DownLoss = 0.10;   // > 10 % lost…
    private const int DownReports = 3;      // …in 3 reports in a row: step down
    private const double UpLoss = 0.02;     // < 2 % lost…
    private const int UpReports = 10;       // …in 10 reports in a row: step up

    private int _badRun;
    private int _goodRun;

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

    /// <summary>Takes one receiver report's fraction lost (0..1); true when the tier changed.</summary>
    public bool OnLossReport(double fractionLost)
    {
        if (Pinned is not null)
        {
            return false;
        }
        if (fractionLost > DownLoss)
        {
            _goodRun = 0;
            if (++_badRun >= DownReports && Current.Lower is { } lower)
            {
                Current = lower;
                _badRun = 0;
                return true;
            }
        }
        else if (fractionLost < UpLoss)
        {
            _badRun = 0;
            if (++_goodRun >= UpReports && Current != Ceiling && Current.Higher is { } higher)
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
