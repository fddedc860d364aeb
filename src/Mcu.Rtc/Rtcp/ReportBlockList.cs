namespace Mcu.Rtc.Rtcp;

/// <summary>
/// The report blocks that end an SR or RR (RFC 3550 §6.4): either raw bytes of a parsed
/// packet, read on demand, or the caller's blocks to write.
/// </summary>
internal readonly ref struct ReportBlockList
{
    private readonly ReadOnlySpan<byte> _raw;
    private readonly ReadOnlySpan<ReportBlock> _blocks;
    private readonly bool _parsed;

    public ReportBlockList(ReadOnlySpan<ReportBlock> blocks)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blocks.Length, RtcpHeader.MaxCount);
        _blocks = blocks;
    }

    public ReportBlockList(ReadOnlySpan<byte> raw)
    {
        _raw = raw;
        _parsed = true;
    }

    public int Count => _parsed ? _raw.Length / ReportBlock.Length : _blocks.Length;

    public int SerializedLength => Count * ReportBlock.Length;

    public ReportBlock Get(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        if (!_parsed)
        {
            return _blocks[index];
        }
        ReportBlock.TryParse(_raw[(index * ReportBlock.Length)..], out var block);
        return block;
    }

    public void WriteTo(Span<byte> destination)
    {
        if (_parsed)
        {
            _raw.CopyTo(destination);
        }
        else
        {
            ReportBlock.WriteAll(_blocks, destination);
        }
    }
}
