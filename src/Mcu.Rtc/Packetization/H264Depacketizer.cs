using System.Buffers.Binary;

namespace Mcu.Rtc.Packetization;

/*
 RFC 6184 §5.7.1, STAP-A (type 24): several whole NAL units, each prefixed by its 16-bit size.
    0                   1                   2                   3
    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   |STAP-A NAL HDR |         NALU 1 Size           | NALU 1 HDR    |
   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   |                         NALU 1 Data                           |
   :                                                               :
   +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   |               | NALU 2 Size                   | NALU 2 HDR    |
   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

 RFC 6184 §5.8, FU-A (type 28): one fragment of a NAL unit too large for a packet.
    0                   1                   2                   3
    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   | FU indicator  |   FU header   |                               |
   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
   |                         FU payload                            |
   FU indicator: |F|NRI|Type=28|      FU header: |S|E|R|Type|
   The NAL header is rebuilt as F|NRI of the indicator plus Type of the FU header.
*/

/// <summary>
/// H.264 depacketization (RFC 6184, packetization-mode 0 and 1: single NAL, STAP-A, FU-A) into an
/// Annex-B access unit with 4-byte start codes. Keeps the latest SPS and PPS and inserts them before
/// the first IDR slice of an access unit that lacks them. Interleaved mode (STAP-B, MTAP, FU-B) is rejected.
/// Plug into a <see cref="FrameAssembler"/>.
/// </summary>
public sealed class H264Depacketizer : IRtpDepacketizer
{
    public const int MaxParameterSetLength = 4096;

    private const int NalHeaderLength = 1;
    private const int NaluSizeLength = 2;
    private const int FuHeaderOffset = 1;
    private const int FuPayloadOffset = 2;
    private const byte FuStartBit = 0x80;
    private const byte FuEndBit = 0x40;

    private readonly ParameterSet _sps = new();
    private readonly ParameterSet _pps = new();

    private bool _frameHasSps;
    private bool _frameHasPps;
    private bool _frameHasIdr;
    private bool _fuOpen;
    private H264NalUnitType _fuType;
    private int _fuNalOffset;

    public static FrameAssembler CreateAssembler(int maxFrameSize = FrameAssembler.DefaultMaxFrameSize) =>
        new(new H264Depacketizer(), maxFrameSize);

    /// <summary>The latest sequence parameter set seen (without start code), empty if none yet.</summary>
    public ReadOnlySpan<byte> Sps => _sps.Bytes;

    /// <summary>The latest picture parameter set seen (without start code), empty if none yet.</summary>
    public ReadOnlySpan<byte> Pps => _pps.Bytes;

    public bool TryInspect(ReadOnlySpan<byte> payload, out bool isFrameStart)
    {
        isFrameStart = false;
        if (payload.IsEmpty || (payload[0] & H264NalUnit.ForbiddenBit) != 0)
        {
            return false;
        }
        var type = H264NalUnit.TypeOf(payload[0]);
        if ((int)type is >= 1 and <= H264NalUnit.MaxSingleNalType)
        {
            isFrameStart = H264NalUnit.BeginsAccessUnit(type, payload[NalHeaderLength..]);
            return true;
        }
        if (type == H264NalUnitType.StapA)
        {
            return TryInspectStapA(payload, out isFrameStart);
        }
        if (type == H264NalUnitType.FuA)
        {
            if (payload.Length <= FuPayloadOffset)
            {
                return false;
            }
            byte fuHeader = payload[FuHeaderOffset];
            var innerType = H264NalUnit.TypeOf(fuHeader);
            // RFC 6184 §5.8: S and E are never both set; a fragment carries a single NAL type.
            if ((fuHeader & (FuStartBit | FuEndBit)) == (FuStartBit | FuEndBit)
                || (int)innerType is 0 or > H264NalUnit.MaxSingleNalType)
            {
                return false;
            }
            isFrameStart = (fuHeader & FuStartBit) != 0
                && H264NalUnit.BeginsAccessUnit(innerType, payload[FuPayloadOffset..]);
            return true;
        }
        return false;
    }

    public void BeginFrame()
    {
        _frameHasSps = false;
        _frameHasPps = false;
        _frameHasIdr = false;
        _fuOpen = false;
    }

    public bool TryAppend(ReadOnlySpan<byte> payload, FrameBuffer frame)
    {
        if (payload.IsEmpty)
        {
            return false;
        }
        var type = H264NalUnit.TypeOf(payload[0]);
        if (type == H264NalUnitType.FuA)
        {
            return TryAppendFragment(payload, frame);
        }
        if (_fuOpen)
        {
            // A fragmented NAL must end (E bit) before the next NAL begins.
            return false;
        }
        if (type != H264NalUnitType.StapA)
        {
            return TryAppendNal(payload, frame);
        }
        int offset = NalHeaderLength;
        while (offset < payload.Length)
        {
            if (!TryReadAggregatedNal(payload, offset, out var nal) || !TryAppendNal(nal, frame))
            {
                return false;
            }
            offset += NaluSizeLength + nal.Length;
        }
        return true;
    }

    public bool TryComplete(FrameBuffer frame, out bool isKeyframe)
    {
        // Decodable on its own only with parameter sets, present or inserted.
        isKeyframe = _frameHasIdr && _frameHasSps && _frameHasPps;
        return !_fuOpen;
    }

    private static bool TryInspectStapA(ReadOnlySpan<byte> payload, out bool isFrameStart)
    {
        isFrameStart = false;
        int offset = NalHeaderLength;
        if (offset >= payload.Length)
        {
            return false;
        }
        while (offset < payload.Length)
        {
            if (!TryReadAggregatedNal(payload, offset, out var nal)
                || (nal[0] & H264NalUnit.ForbiddenBit) != 0
                || (int)H264NalUnit.TypeOf(nal[0]) is 0 or > H264NalUnit.MaxSingleNalType)
            {
                return false;
            }
            if (offset == NalHeaderLength)
            {
                isFrameStart = H264NalUnit.BeginsAccessUnit(H264NalUnit.TypeOf(nal[0]), nal[NalHeaderLength..]);
            }
            offset += NaluSizeLength + nal.Length;
        }
        return true;
    }

    private static bool TryReadAggregatedNal(ReadOnlySpan<byte> payload, int offset, out ReadOnlySpan<byte> nal)
    {
        nal = default;
        if (payload.Length - offset < NaluSizeLength)
        {
            return false;
        }
        int size = BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]);
        int start = offset + NaluSizeLength;
        if (size == 0 || size > payload.Length - start)
        {
            return false;
        }
        nal = payload.Slice(start, size);
        return true;
    }

    private bool TryAppendFragment(ReadOnlySpan<byte> payload, FrameBuffer frame)
    {
        if (payload.Length <= FuPayloadOffset)
        {
            return false;
        }
        byte fuHeader = payload[FuHeaderOffset];
        var innerType = H264NalUnit.TypeOf(fuHeader);
        var body = payload[FuPayloadOffset..];
        if ((fuHeader & FuStartBit) != 0)
        {
            if (_fuOpen || !TryInsertParameterSets(innerType, frame))
            {
                return false;
            }
            byte nalHeader = (byte)((payload[0] & (H264NalUnit.ForbiddenBit | H264NalUnit.NriMask)) | (byte)innerType);
            if (!frame.TryAppendStartCode())
            {
                return false;
            }
            _fuNalOffset = frame.Length;
            _fuOpen = true;
            _fuType = innerType;
            if (!frame.TryAppend(nalHeader))
            {
                return false;
            }
        }
        else if (!_fuOpen || innerType != _fuType)
        {
            return false;
        }

        if (!frame.TryAppend(body))
        {
            return false;
        }
        if ((fuHeader & FuEndBit) != 0)
        {
            _fuOpen = false;
            Remember(innerType, frame.WrittenSpan[_fuNalOffset..]);
        }
        return true;
    }

    private bool TryAppendNal(ReadOnlySpan<byte> nal, FrameBuffer frame)
    {
        var type = H264NalUnit.TypeOf(nal[0]);
        if (!TryInsertParameterSets(type, frame) || !frame.TryAppendStartCode() || !frame.TryAppend(nal))
        {
            return false;
        }
        Remember(type, nal);
        return true;
    }

    /// <summary>Before the first IDR slice of an access unit, writes the kept SPS/PPS it lacks.</summary>
    private bool TryInsertParameterSets(H264NalUnitType type, FrameBuffer frame)
    {
        if (type != H264NalUnitType.IdrSlice || _frameHasIdr)
        {
            return true;
        }
        _frameHasIdr = true;
        bool ok = true;
        if (!_frameHasSps && !_sps.IsEmpty && !_pps.IsEmpty)
        {
            // A PPS is parsed against its SPS, so a missing SPS brings the PPS after it.
            ok = frame.TryAppendStartCode() && frame.TryAppend(_sps.Bytes)
                && frame.TryAppendStartCode() && frame.TryAppend(_pps.Bytes);
            _frameHasSps = _frameHasPps = true;
        }
        else if (!_frameHasPps && !_pps.IsEmpty)
        {
            ok = frame.TryAppendStartCode() && frame.TryAppend(_pps.Bytes);
            _frameHasPps = true;
        }
        return ok;
    }

    private void Remember(H264NalUnitType type, ReadOnlySpan<byte> nal)
    {
        if (type == H264NalUnitType.Sps)
        {
            _frameHasSps = true;
            _sps.Set(nal);
        }
        else if (type == H264NalUnitType.Pps)
        {
            _frameHasPps = true;
            _pps.Set(nal);
        }
    }

    /// <summary>A kept parameter set; its array only grows, so steady state allocates nothing.</summary>
    private sealed class ParameterSet
    {
        private byte[] _bytes = new byte[64];
        private int _length;

        public bool IsEmpty => _length == 0;
        public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, _length);

        public void Set(ReadOnlySpan<byte> nal)
        {
            if (nal.Length > MaxParameterSetLength)
            {
                return;
            }
            if (nal.Length > _bytes.Length)
            {
                _bytes = new byte[nal.Length];
            }
            nal.CopyTo(_bytes);
            _length = nal.Length;
        }
    }
}
