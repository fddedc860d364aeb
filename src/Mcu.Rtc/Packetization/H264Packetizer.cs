using System.Buffers;

namespace Mcu.Rtc.Packetization;

/// <summary>
/// Splits an H.264 Annex-B access unit into RTP payloads (RFC 6184 packetization-mode 1):
/// consecutive small NAL units (typically SPS + PPS) share a STAP-A, a NAL that fits goes alone,
/// a NAL larger than <see cref="MaxPayloadSize"/> becomes balanced FU-A fragments. The marker goes
/// on the last payload of the access unit. Wire formats: see <see cref="H264Depacketizer"/>.
/// </summary>
public sealed class H264Packetizer : IRtpPacketizer
{
    private const int FuHeadersLength = 2;
    private const int NaluSizeLength = 2;
    private const byte FuStartBit = 0x80;
    private const byte FuEndBit = 0x40;
    private static ReadOnlySpan<byte> StartCode => [0, 0, 1];

    private byte[] _accessUnit = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int[] _nalOffsets = new int[16];
    private int[] _nalLengths = new int[16];
    private int _nalCount;
    private int _nalIndex;

    // FU-A progress through the current NAL: offset of the next fragment and fragments left.
    private int _fragmentOffset;
    private int _fragmentsLeft;

    public H264Packetizer(int maxPayloadSize)
    {
        // A STAP-A or FU-A needs room for its headers plus at least one byte of NAL.
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadSize, FuHeadersLength + 1);
        MaxPayloadSize = maxPayloadSize;
    }

    public int MaxPayloadSize { get; }

    /// <summary>Starts an access unit in Annex-B form (NAL units after 3- or 4-byte start codes).</summary>
    public void Begin(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > _accessUnit.Length)
        {
            ArrayPool<byte>.Shared.Return(_accessUnit);
            _accessUnit = ArrayPool<byte>.Shared.Rent(frame.Length);
        }
        frame.CopyTo(_accessUnit);
        _nalCount = 0;
        _nalIndex = 0;
        _fragmentsLeft = 0;
        FindNalUnits(_accessUnit.AsSpan(0, frame.Length));
        if (_nalCount == 0)
        {
            throw new ArgumentException("No NAL unit found: an Annex-B access unit starts with 00 00 01.", nameof(frame));
        }
    }

    public bool TryNext(Span<byte> destination, out int length, out bool marker)
    {
        length = 0;
        marker = false;
        if (_nalIndex >= _nalCount)
        {
            return false;
        }
        if (destination.Length < MaxPayloadSize)
        {
            throw new ArgumentException("Destination must hold MaxPayloadSize bytes.", nameof(destination));
        }

        var nal = Nal(_nalIndex);
        if (_fragmentsLeft > 0 || nal.Length > MaxPayloadSize)
        {
            length = WriteFragment(nal, destination);
        }
        else
        {
            int count = CountAggregatable();
            length = count > 1 ? WriteStapA(count, destination) : WriteSingle(nal, destination);
        }
        marker = _nalIndex == _nalCount;
        return true;
    }

    private ReadOnlySpan<byte> Nal(int index) => _accessUnit.AsSpan(_nalOffsets[index], _nalLengths[index]);

    private int WriteSingle(ReadOnlySpan<byte> nal, Span<byte> destination)
    {
        nal.CopyTo(destination);
        _nalIndex++;
        return nal.Length;
    }

    /// <summary>How many NAL units from the current one fit together in one STAP-A.</summary>
    private int CountAggregatable()
    {
        int size = 1;
        int count = 0;
        for (int i = _nalIndex; i < _nalCount; i++)
        {
            size += NaluSizeLength + _nalLengths[i];
            if (size > MaxPayloadSize)
            {
                break;
            }
            count++;
        }
        return count;
    }

    private int WriteStapA(int count, Span<byte> destination)
    {
        // RFC 6184 §5.7: F is the OR and NRI the maximum over the aggregated NAL units.
        int forbidden = 0;
        int nri = 0;
        int offset = 1;
        for (int i = 0; i < count; i++)
        {
            var nal = Nal(_nalIndex + i);
            forbidden |= nal[0] & H264NalUnit.ForbiddenBit;
            nri = Math.Max(nri, nal[0] & H264NalUnit.NriMask);
            destination[offset++] = (byte)(nal.Length >> 8);
            destination[offset++] = (byte)nal.Length;
            nal.CopyTo(destination[offset..]);
            offset += nal.Length;
        }
        destination[0] = (byte)(forbidden | nri | (byte)H264NalUnitType.StapA);
        _nalIndex += count;
        return offset;
    }

    private int WriteFragment(ReadOnlySpan<byte> nal, Span<byte> destination)
    {
        bool first = _fragmentsLeft == 0;
        if (first)
        {
            // The NAL header is not sent; its bits travel in the FU indicator and FU header.
            int capacity = MaxPayloadSize - FuHeadersLength;
            _fragmentOffset = 1;
            _fragmentsLeft = (nal.Length - 1 + capacity - 1) / capacity;
        }
        int remaining = nal.Length - _fragmentOffset;
        int chunk = (remaining + _fragmentsLeft - 1) / _fragmentsLeft;
        bool last = _fragmentsLeft == 1;

        destination[0] = (byte)((nal[0] & (H264NalUnit.ForbiddenBit | H264NalUnit.NriMask)) | (byte)H264NalUnitType.FuA);
        destination[1] = (byte)((first ? FuStartBit : 0) | (last ? FuEndBit : 0) | (nal[0] & H264NalUnit.TypeMask));
        nal.Slice(_fragmentOffset, chunk).CopyTo(destination[FuHeadersLength..]);
        _fragmentOffset += chunk;
        _fragmentsLeft--;
        if (last)
        {
            _nalIndex++;
        }
        return FuHeadersLength + chunk;
    }

    private void FindNalUnits(ReadOnlySpan<byte> data)
    {
        int nalStart = -1;
        int position = 0;
        while (true)
        {
            int found = data[position..].IndexOf(StartCode);
            int end = found < 0 ? data.Length : position + found;
            if (nalStart >= 0)
            {
                // Zeros before a start code are its 4-byte form or trailing_zero_8bits, not NAL data.
                int nalEnd = end;
                while (nalEnd > nalStart && data[nalEnd - 1] == 0)
                {
                    nalEnd--;
                }
                AddNal(nalStart, nalEnd - nalStart);
            }
            if (found < 0)
            {
                return;
            }
            nalStart = end + StartCode.Length;
            position = nalStart;
        }
    }

    private void AddNal(int offset, int length)
    {
        if (length == 0)
        {
            return;
        }
        if (_nalCount == _nalOffsets.Length)
        {
            Array.Resize(ref _nalOffsets, _nalCount * 2);
            Array.Resize(ref _nalLengths, _nalCount * 2);
        }
        _nalOffsets[_nalCount] = offset;
        _nalLengths[_nalCount] = length;
        _nalCount++;
    }
}
