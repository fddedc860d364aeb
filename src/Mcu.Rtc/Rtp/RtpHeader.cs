// RFC 3550 §5.1 fixed header (diagram in RtpPacket.cs), written with an optional
// RFC 8285 §4.2 one-byte header extension block:
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |       0xBE    |    0xDE       |           length=3            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  ID   | L=0   |     data      |  ID   |  L=1  |   data...
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Mcu.Rtc.Rtp;

/// <summary>
/// An RTP header to write in front of a payload. One-byte extensions are kept inline
/// (no allocation), up to <see cref="ExtensionCapacity"/> bytes of elements.
/// </summary>
public struct RtpHeader
{
    public const int ExtensionCapacity = 64;
    private const int FixedHeaderLength = RtpPacket.FixedHeaderLength;
    private const int ExtensionHeaderLength = 4;

    private ExtensionElements _extensions;
    private int _extensionLength;

    public bool Marker { get; set; }
    public byte PayloadType { get; set; }
    public ushort SequenceNumber { get; set; }
    public uint Timestamp { get; set; }
    public uint Ssrc { get; set; }

    /// <summary>Number of bytes of extension elements added so far (before padding).</summary>
    public readonly int ExtensionElementsLength => _extensionLength;

    public readonly int SerializedLength =>
        FixedHeaderLength + (_extensionLength == 0 ? 0 : ExtensionHeaderLength + PaddedExtensionLength);

    private readonly int PaddedExtensionLength => (_extensionLength + 3) & ~3;

    /// <summary>
    /// Adds an RFC 8285 one-byte element (id 1-14, 1-16 bytes). False when the id or length
    /// is out of range or the inline buffer is full.
    /// </summary>
    public bool TryAddExtension(int id, ReadOnlySpan<byte> value)
    {
        if (id is < 1 or > 14 || value.Length is < 1 or > 16 || _extensionLength + 1 + value.Length > ExtensionCapacity)
        {
            return false;
        }

        Span<byte> elements = _extensions;
        elements[_extensionLength] = (byte)((id << 4) | (value.Length - 1));
        value.CopyTo(elements[(_extensionLength + 1)..]);
        _extensionLength += 1 + value.Length;
        return true;
    }

    public void ClearExtensions() => _extensionLength = 0;

    /// <summary>Writes the header; returns the bytes written, or 0 if the destination is too small.</summary>
    public readonly int WriteTo(Span<byte> destination)
    {
        int length = SerializedLength;
        if (destination.Length < length)
        {
            return 0;
        }

        destination[0] = (byte)((RtpPacket.RtpVersion << 6) | (_extensionLength == 0 ? 0 : 0x10));
        destination[1] = (byte)((Marker ? 0x80 : 0) | (PayloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Ssrc);
        if (_extensionLength != 0)
        {
            int padded = PaddedExtensionLength;
            BinaryPrimitives.WriteUInt16BigEndian(destination[FixedHeaderLength..], RtpPacket.OneByteExtensionProfile);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(FixedHeaderLength + 2)..], (ushort)(padded / 4));
            Span<byte> block = destination.Slice(FixedHeaderLength + ExtensionHeaderLength, padded);
            ReadOnlySpan<byte> elements = _extensions;
            elements[.._extensionLength].CopyTo(block);
            block[_extensionLength..].Clear(); // padding bytes are id 0
        }

        return length;
    }

    [InlineArray(ExtensionCapacity)]
    private struct ExtensionElements
    {
        private byte _element0;
    }
}
