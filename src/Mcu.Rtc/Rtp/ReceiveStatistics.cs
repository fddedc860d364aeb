namespace Mcu.Rtc.Rtp;

/// <summary>
/// What a receiver report says about one incoming stream (RFC 3550 §6.4.1, A.3, A.8):
/// extended highest sequence number, packets lost (cumulative and since the last
/// report) and interarrival jitter. Fed every received packet with its arrival time.
/// </summary>
public sealed class ReceiveStatistics
{
    private readonly int _clockRate;
    private bool _started;
    private ushort _baseSequence;
    private ushort _maxSequence;
    private uint _cycles;
    private long _received;
    private long _expectedPrior;
    private long _receivedPrior;
    private double _jitter;
    private long _lastTransitUnits;
    private bool _haveTransit;

    public ReceiveStatistics(int clockRate) => _clockRate = clockRate;

    public uint Ssrc { get; private set; }

    public uint ExtendedHighestSequence => _cycles + _maxSequence;

    public long Expected => _started ? ExtendedHighestSequence - _baseSequence + 1 : 0;

    public long CumulativeLost => Math.Max(0, Expected - _received);

    /// <summary>Interarrival jitter in RTP timestamp units.</summary>
    public uint Jitter => (uint)_jitter;

    public void OnPacket(uint ssrc, ushort sequenceNumber, uint rtpTimestamp, long arrivalMicros)
    {
        if (!_started || ssrc != Ssrc)
        {
            _started = true;
            Ssrc = ssrc;
            _baseSequence = sequenceNumber;
            _maxSequence = sequenceNumber;
            _cycles = 0;
            _received = 0;
            _expectedPrior = _receivedPrior = 0;
            _haveTransit = false;
        }
        int delta = (short)(sequenceNumber - _maxSequence);
        if (delta > 0)
        {
            if (sequenceNumber < _maxSequence)
            {
                _cycles += 1 << 16;
            }
            _maxSequence = sequenceNumber;
        }
        _received++;

        // A.8: J += (|D| - J) / 16, in timestamp units.
        long arrivalUnits = arrivalMicros * _clockRate / 1_000_000;
        long transit = arrivalUnits - rtpTimestamp;
        if (_haveTransit)
        {
            long d = Math.Abs(transit - _lastTransitUnits);
            _jitter += (d - _jitter) / 16;
        }
        _lastTransitUnits = transit;
        _haveTransit = true;
    }

    /// <summary>Fraction lost since the previous call, as the 8-bit fixed point a report block carries.</summary>
    public byte TakeFractionLost()
    {
        long expected = Expected;
        long expectedInterval = expected - _expectedPrior;
        long receivedInterval = _received - _receivedPrior;
        _expectedPrior = expected;
        _receivedPrior = _received;
        long lostInterval = expectedInterval - receivedInterval;
        if (expectedInterval <= 0 || lostInterval <= 0)
        {
            return 0;
        }
        return (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
    }
}
