namespace Mcu.Rtc.Srtp;

/// <summary>
/// RFC 3711 §3.3.2 replay list as a sliding bitmap of the 64 indices up to the highest
/// authenticated one. Older indices are rejected as replays.
/// </summary>
internal struct ReplayWindow
{
    public const int Size = 64;

    private ulong _highest;
    private ulong _bitmap;
    private bool _hasHighest;

    public readonly bool IsReplay(ulong index)
    {
        if (!_hasHighest || index > _highest)
        {
            return false;
        }

        ulong age = _highest - index;
        return age >= Size || (_bitmap & (1UL << (int)age)) != 0;
    }

    /// <summary>Records an index that passed authentication.</summary>
    public void Accept(ulong index)
    {
        if (!_hasHighest)
        {
            _highest = index;
            _bitmap = 1;
            _hasHighest = true;
        }
        else if (index > _highest)
        {
            ulong shift = index - _highest;
            _bitmap = shift >= Size ? 1 : (_bitmap << (int)shift) | 1;
            _highest = index;
        }
        else if (_highest - index < Size)
        {
            _bitmap |= 1UL << (int)(_highest - index);
        }
    }
}
