namespace Mcu.Rtc.Packetization;

/// <summary>
/// Wraps each audio payload in RED (RFC 2198) with copies of the <see cref="Distance"/> payloads
/// sent before it, so a receiver rebuilds a lost packet from one of the next ones. Keeps its own
/// copies of the last payloads (no allocation per packet). One caller at a time.
/// </summary>
public sealed class RedEncoder
{
    public const int MaxDistance = 2;
    private const int MaxStored = RedPayload.MaxBlockLength;

    private readonly int _payloadType;
    private readonly byte[][] _previous = new byte[MaxDistance][];
    private readonly int[] _previousLength = new int[MaxDistance];
    private readonly uint[] _previousTimestamp = new uint[MaxDistance];
    private int _stored;

    /// <param name="payloadType">The payload type of the blocks inside (Opus's).</param>
    /// <param name="distance">How many earlier payloads each packet repeats (1 or 2; Chrome uses 2).</param>
    public RedEncoder(int payloadType, int distance = MaxDistance)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)payloadType, 127u, nameof(payloadType));
        ArgumentOutOfRangeException.ThrowIfLessThan(distance, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(distance, MaxDistance);
        _payloadType = payloadType;
        Distance = distance;
        for (int i = 0; i < MaxDistance; i++)
        {
            _previous[i] = new byte[MaxStored];
        }
    }

    public int Distance { get; }

    /// <summary>The longest RED payload for a primary of <paramref name="primaryLength"/> bytes.</summary>
    public static int MaxLength(int primaryLength) => RedPayload.SerializedLength(MaxDistance, MaxDistance * MaxStored, primaryLength);

    /// <summary>
    /// Writes <paramref name="primary"/> (at RTP <paramref name="timestamp"/>) and the earlier payloads
    /// still within reach (a 14-bit timestamp offset, a 10-bit length) to <paramref name="destination"/>;
    /// returns the length. <paramref name="copies"/> (at most <see cref="Distance"/>, which is the
    /// default) says how many earlier payloads to repeat now: 0 sends the primary alone in RED, as a
    /// sender does while its receiver reports no loss. The payloads are remembered either way.
    /// </summary>
    public int Encode(ReadOnlySpan<byte> primary, uint timestamp, Span<byte> destination, int? copies = null)
    {
        int repeat = Math.Clamp(copies ?? Distance, 0, Distance);
        // Oldest first: _previous[_stored - 1] is the oldest kept.
        int blocks = 0, redundantBytes = 0;
        Span<int> usable = stackalloc int[MaxDistance];
        for (int i = Math.Min(_stored, repeat) - 1; i >= 0; i--)
        {
            uint offset = timestamp - _previousTimestamp[i];
            if (offset is > 0 and <= RedPayload.MaxTimestampOffset && _previousLength[i] > 0)
            {
                usable[blocks++] = i;
                redundantBytes += _previousLength[i];
            }
        }
        int length = RedPayload.SerializedLength(blocks, redundantBytes, primary.Length);
        if (length > destination.Length)
        {
            throw new ArgumentException($"RED needs {length} bytes", nameof(destination));
        }
        int at = 0;
        for (int b = 0; b < blocks; b++)
        {
            int i = usable[b];
            at += RedPayload.WriteRedundantHeader(destination[at..], _payloadType, (int)(timestamp - _previousTimestamp[i]), _previousLength[i]);
        }
        at += RedPayload.WritePrimaryHeader(destination[at..], _payloadType);
        for (int b = 0; b < blocks; b++)
        {
            int i = usable[b];
            _previous[i].AsSpan(0, _previousLength[i]).CopyTo(destination[at..]);
            at += _previousLength[i];
        }
        primary.CopyTo(destination[at..]);
        at += primary.Length;
        Remember(primary, timestamp);
        return at;
    }

    private void Remember(ReadOnlySpan<byte> primary, uint timestamp)
    {
        if (primary.Length > MaxStored)
        {
            return; // too long for a RED block: the next packets cannot repeat it
        }
        // Shift: slot 0 is the newest.
        var oldest = _previous[Distance - 1];
        for (int i = Distance - 1; i > 0; i--)
        {
            _previous[i] = _previous[i - 1];
            _previousLength[i] = _previousLength[i - 1];
            _previousTimestamp[i] = _previousTimestamp[i - 1];
        }
        _previous[0] = oldest;
        primary.CopyTo(oldest);
        _previousLength[0] = primary.Length;
        _previousTimestamp[0] = timestamp;
        _stored = Math.Min(_stored + 1, Distance);
    }
}
