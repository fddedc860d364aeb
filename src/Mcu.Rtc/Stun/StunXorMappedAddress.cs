using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Mcu.Rtc.Stun;

/// <summary>
/// XOR-MAPPED-ADDRESS value (RFC 8489 §14.2):
/// <code>
///   0                   1                   2                   3
///   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |0 0 0 0 0 0 0 0|    Family     |         X-Port                |
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |                X-Address (Variable)
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// X-Port is the port xor the top 16 bits of the magic cookie; an IPv4 X-Address is xored with
/// the magic cookie, an IPv6 one with the magic cookie followed by the transaction id.
/// </summary>
internal static class StunXorMappedAddress
{
    private const int FamilyOffset = 1;
    private const int PortOffset = 2;
    private const int AddressOffset = 4;
    private const byte FamilyIPv4 = 0x01;
    private const byte FamilyIPv6 = 0x02;
    private const int IPv4Length = AddressOffset + 4;
    private const int IPv6Length = AddressOffset + 16;

    /// <summary>Value length for <paramref name="endPoint"/> (IPv4-mapped IPv6 counts as IPv4).</summary>
    public static int ValueLength(IPEndPoint endPoint) =>
        IsIPv4(endPoint.Address) ? IPv4Length : IPv6Length;

    public static bool TryRead(ReadOnlySpan<byte> value, ReadOnlySpan<byte> transactionId, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (value.Length < IPv4Length)
        {
            return false;
        }
        int port = BinaryPrimitives.ReadUInt16BigEndian(value[PortOffset..]) ^ (int)(StunMessage.MagicCookie >> 16);
        Span<byte> address = stackalloc byte[16];
        switch (value[FamilyOffset])
        {
            case FamilyIPv4 when value.Length == IPv4Length:
                BinaryPrimitives.WriteUInt32BigEndian(
                    address, BinaryPrimitives.ReadUInt32BigEndian(value[AddressOffset..]) ^ StunMessage.MagicCookie);
                endPoint = new IPEndPoint(new IPAddress(address[..4]), port);
                return true;
            case FamilyIPv6 when value.Length == IPv6Length && transactionId.Length == StunMessage.TransactionIdLength:
                WriteXorMask(address);
                transactionId.CopyTo(address[4..]);
                for (int i = 0; i < 16; i++)
                {
                    address[i] ^= value[AddressOffset + i];
                }
                endPoint = new IPEndPoint(new IPAddress(address), port);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Writes the value into <paramref name="destination"/>; returns its length.</summary>
    public static int Write(Span<byte> destination, IPEndPoint endPoint, ReadOnlySpan<byte> transactionId)
    {
        IPAddress address = endPoint.Address;
        // A dual-mode socket reports IPv4 peers as ::ffff:a.b.c.d; the peer knows itself as IPv4.
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        destination[0] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[PortOffset..], (ushort)(endPoint.Port ^ (int)(StunMessage.MagicCookie >> 16)));
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            destination[FamilyOffset] = FamilyIPv4;
            address.TryWriteBytes(destination[AddressOffset..], out _);
            uint x = BinaryPrimitives.ReadUInt32BigEndian(destination[AddressOffset..]) ^ StunMessage.MagicCookie;
            BinaryPrimitives.WriteUInt32BigEndian(destination[AddressOffset..], x);
            return IPv4Length;
        }
        destination[FamilyOffset] = FamilyIPv6;
        Span<byte> mask = stackalloc byte[16];
        WriteXorMask(mask);
        transactionId.CopyTo(mask[4..]);
        Span<byte> xAddress = destination.Slice(AddressOffset, 16);
        address.TryWriteBytes(xAddress, out _);
        for (int i = 0; i < 16; i++)
        {
            xAddress[i] ^= mask[i];
        }
        return IPv6Length;
    }

    private static void WriteXorMask(Span<byte> mask) =>
        BinaryPrimitives.WriteUInt32BigEndian(mask, StunMessage.MagicCookie);

    private static bool IsIPv4(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6;
}
