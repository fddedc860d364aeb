using System.Buffers.Binary;

namespace Mcu.Rtc.Dtls;

/// <summary>
/// The DTLS record header (RFC 6347 §4.1), enough to tell where records begin and end: OpenSSL
/// writes its records one after the other into one buffer, and datagrams carry whole records.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  ContentType  |    ProtocolVersion (254.253)  |     epoch     :
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// :     epoch     |            sequence_number (48 bits)          :
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// :                               |            length             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    fragment (length bytes) ...
/// </code>
/// A handshake record's fragment is handshake message fragments (RFC 6347 §4.2.2):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   msg_type    |             length (24 bits)                  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          message_seq          |  fragment_offset (24 bits)    :
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// :               |          fragment_length (24 bits)            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 body (fragment_length bytes) ...
/// </code>
/// </remarks>
internal static class DtlsRecord
{
    internal const int HeaderLength = 13;
    private const int ContentTypeOffset = 0;
    private const int VersionOffset = 1;
    private const int EpochOffset = 3;
    private const int LengthOffset = 11;

    /// <summary>change_cipher_spec(20), alert(21), handshake(22), application_data(23): RFC 6347 §4.1 knows no others.</summary>
    private const byte FirstContentType = 20, LastContentType = 23;
    private const byte HandshakeType = 22, ApplicationDataType = 23;

    private const int FragmentHeaderLength = 12;
    private const int MessageLengthOffset = 1, FragmentOffsetOffset = 6, FragmentLengthOffset = 9;
    private const byte HelloRequest = 0;

    /// <summary>DTLS versions are one's complements of TLS's: 1.0 is 254.255, 1.2 is 254.253.</summary>
    private const ushort Dtls10 = 0xFEFF, Dtls12 = 0xFEFD;

    /// <summary>
    /// The length of the record (header and fragment) at the start of <paramref name="src"/>;
    /// false if it is cut, not DTLS 1.0 or 1.2, or of a content type DTLS 1.2 does not have.
    /// </summary>
    internal static bool TryReadLength(ReadOnlySpan<byte> src, out int recordLength)
    {
        recordLength = 0;
        if (src.Length < HeaderLength
            || src[ContentTypeOffset] is < FirstContentType or > LastContentType
            || BinaryPrimitives.ReadUInt16BigEndian(src[VersionOffset..]) is not (Dtls10 or Dtls12))
        {
            return false;
        }
        int length = HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(src[LengthOffset..]);
        if (length > src.Length)
        {
            return false;
        }
        recordLength = length;
        return true;
    }

    /// <summary>True if <paramref name="datagram"/> is one or more whole DTLS records and nothing else.</summary>
    internal static bool IsWholeRecords(ReadOnlySpan<byte> datagram) => AllRecords(datagram, checkPlaintext: false);

    /// <summary>
    /// True if <paramref name="datagram"/> is whole records that a DTLS-SRTP peer could send us.
    /// Plaintext (epoch 0) records are checked further, for what OpenSSL would fail the whole
    /// handshake on rather than drop: application data, handshake fragments that do not parse,
    /// and HelloRequest (neither side renegotiates, and a server never gets one).
    /// </summary>
    internal static bool IsPlausible(ReadOnlySpan<byte> datagram) => AllRecords(datagram, checkPlaintext: true);

    private static bool AllRecords(ReadOnlySpan<byte> datagram, bool checkPlaintext)
    {
        if (datagram.IsEmpty)
        {
            return false;
        }
        while (!datagram.IsEmpty)
        {
            if (!TryReadLength(datagram, out int length)
                || (checkPlaintext && !IsPlausiblePlaintext(datagram[..length])))
            {
                return false;
            }
            datagram = datagram[length..];
        }
        return true;
    }

    private static bool IsPlausiblePlaintext(ReadOnlySpan<byte> record)
    {
        if (BinaryPrimitives.ReadUInt16BigEndian(record[EpochOffset..]) != 0)
        {
            return true; // encrypted: only OpenSSL can tell, and it drops what fails authentication
        }
        byte type = record[ContentTypeOffset];
        if (type == ApplicationDataType)
        {
            return false;
        }
        if (type != HandshakeType)
        {
            return true;
        }
        for (ReadOnlySpan<byte> fragments = record[HeaderLength..]; !fragments.IsEmpty;)
        {
            if (fragments.Length < FragmentHeaderLength || fragments[0] == HelloRequest)
            {
                return false;
            }
            int messageLength = ReadUInt24(fragments[MessageLengthOffset..]);
            int offset = ReadUInt24(fragments[FragmentOffsetOffset..]);
            int fragmentLength = ReadUInt24(fragments[FragmentLengthOffset..]);
            if (offset + fragmentLength > messageLength || FragmentHeaderLength + fragmentLength > fragments.Length)
            {
                return false;
            }
            fragments = fragments[(FragmentHeaderLength + fragmentLength)..];
        }
        return true;
    }

    private static int ReadUInt24(ReadOnlySpan<byte> src) => src[0] << 16 | src[1] << 8 | src[2];

    /// <summary>
    /// Packs consecutive records into datagrams of at most <paramref name="mtu"/> bytes, never
    /// splitting a record (OpenSSL makes every record fit the MTU). Bytes that do not parse as a
    /// record (none, from OpenSSL) end the packing.
    /// </summary>
    internal static void Pack(ReadOnlySpan<byte> records, int mtu, List<byte[]> datagrams)
    {
        while (!records.IsEmpty)
        {
            int size = 0;
            while (size < records.Length && TryReadLength(records[size..], out int length)
                && (size == 0 || size + length <= mtu))
            {
                size += length;
            }
            if (size == 0)
            {
                return;
            }
            datagrams.Add(records[..size].ToArray());
            records = records[size..];
        }
    }
}
