namespace Mcu.Rtc.Rtcp;

/// <summary>
/// Walks the packets of an RTCP compound datagram (RFC 3550 §6.1) without copying. Each packet
/// is handed out with its header and its bytes (header included, padding not removed), ready
/// for the matching type's TryParse. Stops with <see cref="IsMalformed"/> at a bad header or length.
/// </summary>
public ref struct RtcpCompoundReader
{
    private ReadOnlySpan<byte> _remaining;

    public RtcpCompoundReader(ReadOnlySpan<byte> datagram)
    {
        _remaining = datagram;
        IsMalformed = false;
    }

    /// <summary>True if reading stopped before the end because the data was not valid RTCP.</summary>
    public bool IsMalformed { get; private set; }

    public bool TryReadNext(out RtcpHeader header, out ReadOnlySpan<byte> packet)
    {
        packet = default;
        header = default;
        if (_remaining.IsEmpty || IsMalformed)
        {
            return false;
        }

        if (!RtcpHeader.TryParse(_remaining, out header) || header.PacketLength > _remaining.Length)
        {
            IsMalformed = true;
            header = default;
            return false;
        }

        packet = _remaining[..header.PacketLength];
        _remaining = _remaining[header.PacketLength..];
        return true;
    }
}
