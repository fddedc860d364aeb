using System.Buffers;

namespace Mcu.Rtc.Packetization;

/// <summary>
/// Splits VP8 frames into RTP payloads (RFC 7741 §4.2): each payload is a 4-byte descriptor
/// (X=1, I=1, M=1: 15-bit PictureID, incremented per frame) followed by VP8 data. S=1 and PID=0
/// on the first payload of a frame; the marker goes on the last. Payload sizes are balanced so
/// the last packet is not a runt.
/// </summary>
public sealed class Vp8Packetizer : IRtpPacketizer
{
    private const int DescriptorLength = 4;
    private const int PictureIdModulo = 0x8000;

    private byte[] _frame = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _frameLength;
    private int _offset;
    private int _packetCount;
    private int _packetIndex;
    private bool _started;

    public Vp8Packetizer(int maxPayloadSize, ushort initialPictureId = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadSize, DescriptorLength + 1);
        MaxPayloadSize = maxPayloadSize;
        PictureId = (ushort)((initialPictureId + PictureIdModulo - 1) % PictureIdModulo);
    }

    public int MaxPayloadSize { get; }

    /// <summary>The 15-bit PictureID of the current frame.</summary>
    public ushort PictureId { get; private set; }

    public void Begin(ReadOnlySpan<byte> frame)
    {
        if (frame.IsEmpty)
        {
            throw new ArgumentException("A VP8 frame is never empty.", nameof(frame));
        }
        if (frame.Length > _frame.Length)
        {
            ArrayPool<byte>.Shared.Return(_frame);
            _frame = ArrayPool<byte>.Shared.Rent(frame.Length);
        }
        frame.CopyTo(_frame);
        _frameLength = frame.Length;
        _offset = 0;
        _packetIndex = 0;
        int capacity = MaxPayloadSize - DescriptorLength;
        _packetCount = (frame.Length + capacity - 1) / capacity;
        PictureId = (ushort)((PictureId + 1) % PictureIdModulo);
        _started = true;
    }

    public bool TryNext(Span<byte> destination, out int length, out bool marker)
    {
        length = 0;
        marker = false;
        if (!_started || _packetIndex >= _packetCount)
        {
            return false;
        }
        // Balanced split: the first (size % count) packets carry one byte more.
        int remainingPackets = _packetCount - _packetIndex;
        int remainingBytes = _frameLength - _offset;
        int chunk = (remainingBytes + remainingPackets - 1) / remainingPackets;
        if (destination.Length < DescriptorLength + chunk)
        {
            throw new ArgumentException("Destination is smaller than the payload.", nameof(destination));
        }

        var descriptor = new Vp8PayloadDescriptor(
            nonReference: false, startOfPartition: _packetIndex == 0, partitionIndex: 0, pictureId: PictureId);
        int written = descriptor.WriteTo(destination);
        _frame.AsSpan(_offset, chunk).CopyTo(destination[written..]);
        _offset += chunk;
        _packetIndex++;
        length = written + chunk;
        marker = _packetIndex == _packetCount;
        return true;
    }
}
