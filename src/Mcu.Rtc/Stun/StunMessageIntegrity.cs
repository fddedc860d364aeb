using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Mcu.Rtc.Stun;

/// <summary>
/// MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1 of the message up to, not including, this
/// attribute, computed as if the header's Message Length already counted this attribute
/// (and nothing after it):
/// <code>
///   0                   1                   2                   3
///   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |     Type = 0x0008             |          Length = 20          |
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |                  HMAC-SHA1 (20 bytes)                         |
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// With short-term credentials (ICE) the key is the UTF-8 password (OpaqueString-prepared;
/// ICE passwords are ASCII so that is the identity).
/// </summary>
internal static class StunMessageIntegrity
{
    public const int ValueLength = 20;
    public const int AttributeLength = StunMessage.AttributeHeaderLength + ValueLength;

    // Received messages fit one MTU; larger ones (not seen from ICE peers) go through the pool.
    private const int MaxStackCopy = 1500;

    /// <summary>
    /// HMAC-SHA1 of <paramref name="prefix"/> (the message up to the MESSAGE-INTEGRITY attribute)
    /// with its header length field replaced by the length that ends at that attribute.
    /// </summary>
    public static void ComputeForReceived(ReadOnlySpan<byte> key, ReadOnlySpan<byte> prefix, Span<byte> mac)
    {
        byte[]? rented = null;
        Span<byte> copy = prefix.Length <= MaxStackCopy
            ? stackalloc byte[prefix.Length]
            : (rented = ArrayPool<byte>.Shared.Rent(prefix.Length)).AsSpan(0, prefix.Length);
        prefix.CopyTo(copy);
        int adjustedLength = prefix.Length + AttributeLength - StunMessage.HeaderLength;
        BinaryPrimitives.WriteUInt16BigEndian(copy[StunMessage.LengthOffset..], (ushort)adjustedLength);
        HMACSHA1.HashData(key, copy, mac);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>HMAC-SHA1 of a prefix whose header length field is already the adjusted one.</summary>
    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> prefix, Span<byte> mac) =>
        HMACSHA1.HashData(key, prefix, mac);
}
