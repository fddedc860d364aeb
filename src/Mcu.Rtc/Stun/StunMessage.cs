using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace Mcu.Rtc.Stun;

/// <summary>
/// A received STUN message, parsed in place (RFC 8489 §5, §14). Valid only while the datagram
/// it was parsed from is. The header:
/// <code>
///   0                   1                   2                   3
///   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |0 0|     STUN Message Type     |         Message Length        |
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |                         Magic Cookie                          |
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |                                                               |
///  |                     Transaction ID (96 bits)                  |
///  |                                                               |
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// followed by attributes, each padded to a multiple of 4 bytes:
/// <code>
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |         Type                  |            Length             |
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |                         Value (variable)                ....
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public readonly ref struct StunMessage
{
    public const int HeaderLength = 20;
    public const uint MagicCookie = 0x2112A442;
    public const int TransactionIdLength = 12;

    internal const int TypeOffset = 0;
    internal const int LengthOffset = 2;
    internal const int MagicCookieOffset = 4;
    internal const int TransactionIdOffset = 8;
    internal const int AttributeHeaderLength = 4;
    internal const int AttributeLengthOffset = 2;

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _integrityOffset;
    private readonly int _fingerprintOffset;
    // Attributes after MESSAGE-INTEGRITY (other than FINGERPRINT) are not covered by it and are ignored (§14.5).
    private readonly int _lookupEnd;

    private StunMessage(ReadOnlySpan<byte> data, int integrityOffset, int fingerprintOffset, int lookupEnd)
    {
        _data = data;
        _integrityOffset = integrityOffset;
        _fingerprintOffset = fingerprintOffset;
        _lookupEnd = lookupEnd;
    }

    public StunMethod Method => StunMessageType.DecodeMethod(BinaryPrimitives.ReadUInt16BigEndian(_data));
    public StunClass Class => StunMessageType.DecodeClass(BinaryPrimitives.ReadUInt16BigEndian(_data));
    public ReadOnlySpan<byte> TransactionId => _data.Slice(TransactionIdOffset, TransactionIdLength);

    /// <summary>The whole message (header and attributes).</summary>
    public ReadOnlySpan<byte> Bytes => _data;
    public bool HasMessageIntegrity => _integrityOffset >= 0;
    public bool HasFingerprint => _fingerprintOffset >= 0;
    public bool HasUseCandidate => TryGetAttribute(StunAttributeType.UseCandidate, out _);

    /// <summary>
    /// Cheap demultiplexing test (RFC 7983 §7, RFC 8489 §6.3): first byte 0..3, the magic cookie,
    /// and a message length that is a multiple of 4.
    /// </summary>
    public static bool IsStun(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= HeaderLength
        && datagram[TypeOffset] < 4
        && BinaryPrimitives.ReadUInt32BigEndian(datagram[MagicCookieOffset..]) == MagicCookie
        && (datagram[LengthOffset + 1] & 0x03) == 0;

    /// <summary>
    /// Parses a whole datagram as one STUN message. False, without throwing or allocating, when
    /// the header is not STUN, the length field disagrees with the datagram, an attribute runs
    /// past the end, MESSAGE-INTEGRITY or FINGERPRINT has the wrong size, or FINGERPRINT is not last.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out StunMessage message)
    {
        message = default;
        if (!IsStun(datagram)
            || HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(datagram[LengthOffset..]) != datagram.Length)
        {
            return false;
        }
        int integrity = -1;
        int fingerprint = -1;
        int lookupEnd = datagram.Length;
        int offset = HeaderLength;
        while (offset < datagram.Length)
        {
            if (fingerprint >= 0 || datagram.Length - offset < AttributeHeaderLength)
            {
                return false;
            }
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + AttributeLengthOffset)..]);
            int paddedEnd = offset + AttributeHeaderLength + Pad(valueLength);
            if (paddedEnd > datagram.Length)
            {
                return false;
            }
            if (type == StunAttributeType.MessageIntegrity && integrity < 0)
            {
                if (valueLength != StunMessageIntegrity.ValueLength)
                {
                    return false;
                }
                integrity = offset;
                lookupEnd = paddedEnd;
            }
            else if (type == StunAttributeType.Fingerprint)
            {
                if (valueLength != StunFingerprint.ValueLength)
                {
                    return false;
                }
                fingerprint = offset;
            }
            offset = paddedEnd;
        }
        message = new StunMessage(datagram, integrity, fingerprint, lookupEnd);
        return true;
    }

    /// <summary>Value of the first attribute of <paramref name="type"/> (without padding).</summary>
    public bool TryGetAttribute(ushort type, out ReadOnlySpan<byte> value)
    {
        if (type == StunAttributeType.Fingerprint)
        {
            value = _fingerprintOffset >= 0 ? _data.Slice(_fingerprintOffset + AttributeHeaderLength, StunFingerprint.ValueLength) : default;
            return _fingerprintOffset >= 0;
        }
        int offset = HeaderLength;
        while (offset < _lookupEnd)
        {
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(_data[(offset + AttributeLengthOffset)..]);
            if (BinaryPrimitives.ReadUInt16BigEndian(_data[offset..]) == type)
            {
                value = _data.Slice(offset + AttributeHeaderLength, valueLength);
                return true;
            }
            offset += AttributeHeaderLength + Pad(valueLength);
        }
        value = default;
        return false;
    }

    public bool TryGetUsername(out ReadOnlySpan<byte> utf8) => TryGetAttribute(StunAttributeType.Username, out utf8);

    public bool TryGetIceControlling(out ulong tieBreaker) => TryGetUInt64(StunAttributeType.IceControlling, out tieBreaker);

    public bool TryGetIceControlled(out ulong tieBreaker) => TryGetUInt64(StunAttributeType.IceControlled, out tieBreaker);

    public bool TryGetPriority(out uint priority)
    {
        if (TryGetAttribute(StunAttributeType.Priority, out ReadOnlySpan<byte> value) && value.Length == StunIceAttributes.PriorityLength)
        {
            priority = BinaryPrimitives.ReadUInt32BigEndian(value);
            return true;
        }
        priority = 0;
        return false;
    }

    /// <summary>Decodes XOR-MAPPED-ADDRESS (IPv4 or IPv6). Allocates the returned endpoint.</summary>
    public bool TryGetXorMappedAddress(out IPEndPoint endPoint)
    {
        if (TryGetAttribute(StunAttributeType.XorMappedAddress, out ReadOnlySpan<byte> value))
        {
            return StunXorMappedAddress.TryRead(value, TransactionId, out endPoint);
        }
        endPoint = null!;
        return false;
    }

    public bool TryGetErrorCode(out int code)
    {
        if (TryGetAttribute(StunAttributeType.ErrorCode, out ReadOnlySpan<byte> value))
        {
            return StunErrorCode.TryRead(value, out code);
        }
        code = 0;
        return false;
    }

    /// <summary>
    /// Checks MESSAGE-INTEGRITY (HMAC-SHA1) with <paramref name="key"/> (RFC 8489 §14.5), in
    /// constant time. False when the message has none.
    /// </summary>
    public bool VerifyMessageIntegrity(ReadOnlySpan<byte> key)
    {
        if (_integrityOffset < 0)
        {
            return false;
        }
        Span<byte> mac = stackalloc byte[StunMessageIntegrity.ValueLength];
        StunMessageIntegrity.ComputeForReceived(key, _data[.._integrityOffset], mac);
        return CryptographicOperations.FixedTimeEquals(
            mac, _data.Slice(_integrityOffset + AttributeHeaderLength, StunMessageIntegrity.ValueLength));
    }

    /// <summary>As <see cref="VerifyMessageIntegrity(ReadOnlySpan{byte})"/>, with a key kept keyed between messages.</summary>
    public bool VerifyMessageIntegrity(StunIntegrityKey key)
    {
        if (_integrityOffset < 0)
        {
            return false;
        }
        Span<byte> mac = stackalloc byte[StunMessageIntegrity.ValueLength];
        key.ComputeForReceived(_data[.._integrityOffset], mac);
        return CryptographicOperations.FixedTimeEquals(
            mac, _data.Slice(_integrityOffset + AttributeHeaderLength, StunMessageIntegrity.ValueLength));
    }

    /// <summary>Checks FINGERPRINT (RFC 8489 §14.7). False when the message has none.</summary>
    public bool VerifyFingerprint() =>
        _fingerprintOffset >= 0
        && StunFingerprint.Compute(_data[.._fingerprintOffset])
            == BinaryPrimitives.ReadUInt32BigEndian(_data[(_fingerprintOffset + AttributeHeaderLength)..]);

    internal static int Pad(int length) => (length + 3) & ~3;

    private bool TryGetUInt64(ushort type, out ulong result)
    {
        if (TryGetAttribute(type, out ReadOnlySpan<byte> value) && value.Length == StunIceAttributes.TieBreakerLength)
        {
            result = BinaryPrimitives.ReadUInt64BigEndian(value);
            return true;
        }
        result = 0;
        return false;
    }
}
