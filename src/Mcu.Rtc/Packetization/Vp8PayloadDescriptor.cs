namespace Mcu.Rtc.Packetization;

/*
 RFC 7741 §4.2, VP8 payload descriptor (first bytes of every VP8 RTP payload):

         0 1 2 3 4 5 6 7
        +-+-+-+-+-+-+-+-+
        |X|R|N|S|R| PID | (REQUIRED)
        +-+-+-+-+-+-+-+-+
   X:   |I|L|T|K| RSV   | (OPTIONAL)
        +-+-+-+-+-+-+-+-+
   I:   |M| PictureID   | (OPTIONAL)
        +-+-+-+-+-+-+-+-+
        |   PictureID   |  (present when M = 1: 15-bit PictureID)
        +-+-+-+-+-+-+-+-+
   L:   |   TL0PICIDX   | (OPTIONAL)
        +-+-+-+-+-+-+-+-+
   T/K: |TID|Y| KEYIDX  | (OPTIONAL, present when T or K)
        +-+-+-+-+-+-+-+-+
*/

/// <summary>The VP8 payload descriptor (RFC 7741 §4.2): parsed with <see cref="TryParse"/>, written with <see cref="WriteTo"/>.</summary>
public readonly struct Vp8PayloadDescriptor
{
    public const int MaxLength = 6;

    private const byte ExtendedBit = 0x80;
    private const byte NonReferenceBit = 0x20;
    private const byte StartOfPartitionBit = 0x10;
    private const byte PartitionIndexMask = 0x07;
    private const byte PictureIdPresentBit = 0x80;
    private const byte Tl0PicIdxPresentBit = 0x40;
    private const byte TidPresentBit = 0x20;
    private const byte KeyIdxPresentBit = 0x10;
    private const byte LongPictureIdBit = 0x80;
    private const byte LayerSyncBit = 0x20;
    private const byte KeyIdxMask = 0x1F;

    private readonly byte _first;
    private readonly byte _extension;
    private readonly byte _tidKeyIdx;

    public Vp8PayloadDescriptor(
        bool nonReference, bool startOfPartition, int partitionIndex,
        int? pictureId = null, bool longPictureId = true, byte? tl0PicIdx = null,
        int? temporalLayerId = null, bool layerSync = false, int? keyIndex = null)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)partitionIndex, 7u, nameof(partitionIndex));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)(pictureId ?? 0), longPictureId ? 0x7FFFu : 0x7Fu, nameof(pictureId));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)(temporalLayerId ?? 0), 3u, nameof(temporalLayerId));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)(keyIndex ?? 0), 31u, nameof(keyIndex));

        byte extension = (byte)((pictureId.HasValue ? PictureIdPresentBit : 0)
            | (tl0PicIdx.HasValue ? Tl0PicIdxPresentBit : 0)
            | (temporalLayerId.HasValue ? TidPresentBit : 0)
            | (keyIndex.HasValue ? KeyIdxPresentBit : 0));
        _first = (byte)((extension != 0 ? ExtendedBit : 0)
            | (nonReference ? NonReferenceBit : 0)
            | (startOfPartition ? StartOfPartitionBit : 0)
            | partitionIndex);
        _extension = extension;
        PictureId = (ushort)(pictureId ?? 0);
        HasLongPictureId = pictureId.HasValue && longPictureId;
        Tl0PicIdx = tl0PicIdx ?? 0;
        _tidKeyIdx = (byte)(((temporalLayerId ?? 0) << 6) | (layerSync ? LayerSyncBit : 0) | (keyIndex ?? 0));
    }

    private Vp8PayloadDescriptor(byte first, byte extension, ushort pictureId, bool longPictureId, byte tl0PicIdx, byte tidKeyIdx)
    {
        _first = first;
        _extension = extension;
        PictureId = pictureId;
        HasLongPictureId = longPictureId;
        Tl0PicIdx = tl0PicIdx;
        _tidKeyIdx = tidKeyIdx;
    }

    public bool IsExtended => (_first & ExtendedBit) != 0;
    public bool IsNonReference => (_first & NonReferenceBit) != 0;
    public bool IsStartOfPartition => (_first & StartOfPartitionBit) != 0;
    public int PartitionIndex => _first & PartitionIndexMask;

    /// <summary>The first packet of a frame: start of partition 0.</summary>
    public bool IsStartOfFrame => IsStartOfPartition && PartitionIndex == 0;

    public bool HasPictureId => (_extension & PictureIdPresentBit) != 0;
    public bool HasLongPictureId { get; }
    public ushort PictureId { get; }
    public bool HasTl0PicIdx => (_extension & Tl0PicIdxPresentBit) != 0;
    public byte Tl0PicIdx { get; }
    public bool HasTemporalLayerId => (_extension & TidPresentBit) != 0;
    public int TemporalLayerId => _tidKeyIdx >> 6;
    public bool IsLayerSync => (_tidKeyIdx & LayerSyncBit) != 0;
    public bool HasKeyIndex => (_extension & KeyIdxPresentBit) != 0;
    public int KeyIndex => _tidKeyIdx & KeyIdxMask;

    /// <summary>Bytes the descriptor takes; the VP8 data follows.</summary>
    public int SerializedLength =>
        1
        + (IsExtended ? 1 : 0)
        + (HasPictureId ? (HasLongPictureId ? 2 : 1) : 0)
        + (HasTl0PicIdx ? 1 : 0)
        + (HasTemporalLayerId || HasKeyIndex ? 1 : 0);

    public static bool TryParse(ReadOnlySpan<byte> payload, out Vp8PayloadDescriptor descriptor)
    {
        descriptor = default;
        if (payload.IsEmpty)
        {
            return false;
        }
        byte first = payload[0];
        int offset = 1;
        byte extension = 0;
        if ((first & ExtendedBit) != 0)
        {
            if (payload.Length <= offset)
            {
                return false;
            }
            extension = payload[offset++];
        }

        ushort pictureId = 0;
        bool longPictureId = false;
        if ((extension & PictureIdPresentBit) != 0)
        {
            if (payload.Length <= offset)
            {
                return false;
            }
            longPictureId = (payload[offset] & LongPictureIdBit) != 0;
            if (longPictureId)
            {
                if (payload.Length <= offset + 1)
                {
                    return false;
                }
                pictureId = (ushort)(((payload[offset] & 0x7F) << 8) | payload[offset + 1]);
                offset += 2;
            }
            else
            {
                pictureId = (ushort)(payload[offset] & 0x7F);
                offset += 1;
            }
        }

        byte tl0PicIdx = 0;
        if ((extension & Tl0PicIdxPresentBit) != 0)
        {
            if (payload.Length <= offset)
            {
                return false;
            }
            tl0PicIdx = payload[offset++];
        }

        byte tidKeyIdx = 0;
        if ((extension & (TidPresentBit | KeyIdxPresentBit)) != 0)
        {
            if (payload.Length <= offset)
            {
                return false;
            }
            tidKeyIdx = payload[offset];
        }

        descriptor = new Vp8PayloadDescriptor(first, extension, pictureId, longPictureId, tl0PicIdx, tidKeyIdx);
        return true;
    }

    /// <summary>Writes <see cref="SerializedLength"/> bytes; the destination must be large enough.</summary>
    public int WriteTo(Span<byte> destination)
    {
        int length = SerializedLength;
        if (destination.Length < length)
        {
            throw new ArgumentException("Destination too small for the VP8 payload descriptor.", nameof(destination));
        }
        int offset = 0;
        destination[offset++] = _first;
        if (IsExtended)
        {
            destination[offset++] = _extension;
        }
        if (HasPictureId)
        {
            if (HasLongPictureId)
            {
                destination[offset++] = (byte)(LongPictureIdBit | (PictureId >> 8));
                destination[offset++] = (byte)PictureId;
            }
            else
            {
                destination[offset++] = (byte)PictureId;
            }
        }
        if (HasTl0PicIdx)
        {
            destination[offset++] = Tl0PicIdx;
        }
        if (HasTemporalLayerId || HasKeyIndex)
        {
            destination[offset++] = _tidKeyIdx;
        }
        return offset;
    }
}
