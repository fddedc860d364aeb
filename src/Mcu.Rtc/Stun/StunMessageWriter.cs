using System.Buffers.Binary;
using System.Net;

namespace Mcu.Rtc.Stun;

/// <summary>
/// Writes one STUN message (layout in <see cref="StunMessage"/>) into a caller's buffer,
/// attribute by attribute, keeping the header's Message Length current after each one so
/// MESSAGE-INTEGRITY and FINGERPRINT can be computed in place. Never allocates. Throws
/// <see cref="ArgumentException"/> if the destination is too small: sizing it is the caller's job.
/// </summary>
public ref struct StunMessageWriter
{
    private readonly Span<byte> _destination;
    private int _length;
    private bool _hasIntegrity;
    private bool _hasFingerprint;

    public StunMessageWriter(Span<byte> destination, StunMethod method, StunClass cls, ReadOnlySpan<byte> transactionId)
    {
        if (transactionId.Length != StunMessage.TransactionIdLength)
        {
            throw new ArgumentException("A STUN transaction id is 12 bytes.", nameof(transactionId));
        }
        if (destination.Length < StunMessage.HeaderLength)
        {
            throw new ArgumentException("Destination is smaller than a STUN header.", nameof(destination));
        }
        _destination = destination;
        BinaryPrimitives.WriteUInt16BigEndian(destination[StunMessage.TypeOffset..], StunMessageType.Encode(method, cls));
        BinaryPrimitives.WriteUInt16BigEndian(destination[StunMessage.LengthOffset..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[StunMessage.MagicCookieOffset..], StunMessage.MagicCookie);
        transactionId.CopyTo(destination[StunMessage.TransactionIdOffset..]);
        _length = StunMessage.HeaderLength;
    }

    /// <summary>Bytes written so far: the whole message.</summary>
    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> Written => _destination[.._length];

    /// <summary>
    /// Value written into attribute padding. RFC 8489 §14 lets padding be any value; zero is the
    /// norm, and RFC 5769's vectors use spaces, so tests set it to reproduce them.
    /// </summary>
    internal byte PaddingByte { get; set; }

    public void WriteAttribute(ushort type, ReadOnlySpan<byte> value)
    {
        Span<byte> destination = BeginAttribute(type, value.Length);
        value.CopyTo(destination);
        EndAttribute(value.Length);
    }

    public void WriteUsername(ReadOnlySpan<byte> utf8) => WriteAttribute(StunAttributeType.Username, utf8);

    public void WriteSoftware(ReadOnlySpan<byte> utf8) => WriteAttribute(StunAttributeType.Software, utf8);

    public void WriteXorMappedAddress(IPEndPoint endPoint)
    {
        int valueLength = StunXorMappedAddress.ValueLength(endPoint);
        Span<byte> destination = BeginAttribute(StunAttributeType.XorMappedAddress, valueLength);
        StunXorMappedAddress.Write(
            destination, endPoint, _destination.Slice(StunMessage.TransactionIdOffset, StunMessage.TransactionIdLength));
        EndAttribute(valueLength);
    }

    public void WritePriority(uint priority)
    {
        BinaryPrimitives.WriteUInt32BigEndian(BeginAttribute(StunAttributeType.Priority, StunIceAttributes.PriorityLength), priority);
        EndAttribute(StunIceAttributes.PriorityLength);
    }

    public void WriteUseCandidate()
    {
        BeginAttribute(StunAttributeType.UseCandidate, StunIceAttributes.UseCandidateLength);
        EndAttribute(StunIceAttributes.UseCandidateLength);
    }

    public void WriteIceControlling(ulong tieBreaker) => WriteTieBreaker(StunAttributeType.IceControlling, tieBreaker);

    public void WriteIceControlled(ulong tieBreaker) => WriteTieBreaker(StunAttributeType.IceControlled, tieBreaker);

    public void WriteErrorCode(int code, string reason)
    {
        int valueLength = StunErrorCode.ValueLength(reason);
        StunErrorCode.Write(BeginAttribute(StunAttributeType.ErrorCode, valueLength), code, reason);
        EndAttribute(valueLength);
    }

    /// <summary>HMAC-SHA1 over everything written so far (RFC 8489 §14.5).</summary>
    public void WriteMessageIntegrity(ReadOnlySpan<byte> key)
    {
        int attributeOffset = _length;
        Span<byte> mac = BeginAttribute(StunAttributeType.MessageIntegrity, StunMessageIntegrity.ValueLength);
        StunMessageIntegrity.Compute(key, _destination[..attributeOffset], mac);
        EndAttribute(StunMessageIntegrity.ValueLength);
        _hasIntegrity = true;
    }

    /// <summary>As <see cref="WriteMessageIntegrity(ReadOnlySpan{byte})"/>, with a key kept keyed between messages.</summary>
    public void WriteMessageIntegrity(StunIntegrityKey key)
    {
        int attributeOffset = _length;
        Span<byte> mac = BeginAttribute(StunAttributeType.MessageIntegrity, StunMessageIntegrity.ValueLength);
        key.Compute(_destination[..attributeOffset], mac);
        EndAttribute(StunMessageIntegrity.ValueLength);
        _hasIntegrity = true;
    }

    /// <summary>CRC-32 fingerprint over everything written so far; must be the last attribute (§14.7).</summary>
    public void WriteFingerprint()
    {
        int attributeOffset = _length;
        Span<byte> value = BeginAttribute(StunAttributeType.Fingerprint, StunFingerprint.ValueLength);
        BinaryPrimitives.WriteUInt32BigEndian(value, StunFingerprint.Compute(_destination[..attributeOffset]));
        EndAttribute(StunFingerprint.ValueLength);
        _hasFingerprint = true;
    }

    private void WriteTieBreaker(ushort type, ulong tieBreaker)
    {
        BinaryPrimitives.WriteUInt64BigEndian(BeginAttribute(type, StunIceAttributes.TieBreakerLength), tieBreaker);
        EndAttribute(StunIceAttributes.TieBreakerLength);
    }

    /// <summary>
    /// Writes the attribute header and sets the message length to include the whole padded
    /// attribute, which is what MESSAGE-INTEGRITY and FINGERPRINT must see; returns the value span.
    /// </summary>
    private Span<byte> BeginAttribute(ushort type, int valueLength)
    {
        if (_hasFingerprint || (_hasIntegrity && type != StunAttributeType.Fingerprint))
        {
            throw new InvalidOperationException("Only FINGERPRINT may follow MESSAGE-INTEGRITY, and nothing may follow FINGERPRINT.");
        }
        int end = _length + StunMessage.AttributeHeaderLength + StunMessage.Pad(valueLength);
        if (valueLength > ushort.MaxValue || end > _destination.Length || end - StunMessage.HeaderLength > ushort.MaxValue)
        {
            throw new ArgumentException("Destination too small for the STUN attribute.");
        }
        BinaryPrimitives.WriteUInt16BigEndian(_destination[_length..], type);
        BinaryPrimitives.WriteUInt16BigEndian(_destination[(_length + StunMessage.AttributeLengthOffset)..], (ushort)valueLength);
        BinaryPrimitives.WriteUInt16BigEndian(_destination[StunMessage.LengthOffset..], (ushort)(end - StunMessage.HeaderLength));
        return _destination.Slice(_length + StunMessage.AttributeHeaderLength, valueLength);
    }

    private void EndAttribute(int valueLength)
    {
        int valueEnd = _length + StunMessage.AttributeHeaderLength + valueLength;
        int end = _length + StunMessage.AttributeHeaderLength + StunMessage.Pad(valueLength);
        _destination[valueEnd..end].Fill(PaddingByte);
        _length = end;
    }
}
