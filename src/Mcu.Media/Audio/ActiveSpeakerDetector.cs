namespace Mcu.Media.Audio;

/// <summary>
/// Picks the active speaker from per-tick levels with hysteresis. A challenger takes over only after being
/// louder than the current speaker by <c>marginDb</c> for <c>holdTicks</c> consecutive ticks; when everyone
/// is silent the last speaker stays. Levels are smoothed with instant rise and a slow fall, so the short
/// pauses between words don't restart a challenger's count.
/// </summary>
public sealed class ActiveSpeakerDetector
{
    private readonly double[] _smoothed;
    private readonly int _holdTicks;
    private readonly double _marginDb;
    private readonly double _silenceDbov;
    private readonly double _fallDbPerTick;
    private int _challenger = -1;
    private int _challengerTicks;

    /// <param name="holdTicks">Ticks a challenger must lead; 15 ticks of 20 ms is 300 ms.</param>
    /// <param name="fallDbPerTick">How fast a smoothed level decays after the voice stops.</param>
    public ActiveSpeakerDetector(int maxSlots, int holdTicks = 15, double marginDb = 6, double silenceDbov = -50, double fallDbPerTick = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSlots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(holdTicks, 1);
        _smoothed = new double[maxSlots];
        _smoothed.AsSpan().Fill(AudioLevel.SilenceDbov);
        _holdTicks = holdTicks;
        _marginDb = marginDb;
        _silenceDbov = silenceDbov;
        _fallDbPerTick = fallDbPerTick;
    }

    public int? CurrentSpeaker { get; private set; }

    /// <summary>Feeds one tick of levels (dBov, one per slot); returns true when the speaker changed.</summary>
    public bool Update(ReadOnlySpan<double> levelsDbov)
    {
        int loudest = -1;
        for (int slot = 0; slot < _smoothed.Length; slot++)
        {
            double level = slot < levelsDbov.Length ? levelsDbov[slot] : AudioLevel.SilenceDbov;
            _smoothed[slot] = Math.Max(level, Math.Max(AudioLevel.SilenceDbov, _smoothed[slot] - _fallDbPerTick));
            if (_smoothed[slot] >= _silenceDbov && (loudest < 0 || _smoothed[slot] > _smoothed[loudest]))
            {
                loudest = slot;
            }
        }

        bool leads = loudest >= 0 && loudest != CurrentSpeaker
            && (CurrentSpeaker is not { } current || _smoothed[loudest] >= _smoothed[current] + _marginDb);
        if (!leads)
        {
            _challenger = -1;
            _challengerTicks = 0;
            return false;
        }

        if (loudest != _challenger)
        {
            _challenger = loudest;
            _challengerTicks = 0;
        }

        if (++_challengerTicks < _holdTicks)
        {
            return false;
        }

        CurrentSpeaker = loudest;
        _challenger = -1;
        _challengerTicks = 0;
        return true;
    }

    /// <summary>Forgets a slot (participant left); if it was speaking there is no speaker until someone else is.</summary>
    public void Remove(int slot)
    {
        _smoothed[slot] = AudioLevel.SilenceDbov;
        if (CurrentSpeaker == slot)
        {
            CurrentSpeaker = null;
        }

        if (_challenger == slot)
        {
            _challenger = -1;
            _challengerTicks = 0;
        }
    }
}
