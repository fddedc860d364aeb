using System.Buffers.Binary;
using System.Text;

namespace Mcu.Rtc.Stun;

/// <summary>
/// ERROR-CODE value (RFC 8489 §14.8): the code is Class * 100 + Number, 300..699, followed by a
/// UTF-8 reason phrase of at most 127 characters (763 bytes).
/// <code>
///   0                   1                   2                   3
///   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |           Reserved, should be 0         |Class|     Number    |
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |      Reason Phrase (variable)                                ..
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public static class StunErrorCode
{
    public const int BadRequest = 400;
    public const int Unauthorized = 401;
    public const int UnknownAttribute = 420;
    public const int RoleConflict = 487;
    public const int ServerError = 500;

    internal const int ClassOffset = 2;
    internal const int NumberOffset = 3;
    internal const int ReasonOffset = 4;
    internal const int MaxReasonBytes = 763;

    internal static bool TryRead(ReadOnlySpan<byte> value, out int code)
    {
        code = 0;
        if (value.Length < ReasonOffset)
        {
            return false;
        }
        int cls = value[ClassOffset] & 0x07;
        int number = value[NumberOffset];
        if (cls < 3 || cls > 6 || number > 99)
        {
            return false;
        }
        code = cls * 100 + number;
        return true;
    }

    /// <summary>Writes the value; returns its length (unpadded).</summary>
    internal static int Write(Span<byte> destination, int code, string reason)
    {
        if (code < 300 || code > 699)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "STUN error codes are 300..699.");
        }
        if (Encoding.UTF8.GetByteCount(reason) > MaxReasonBytes)
        {
            throw new ArgumentException("Reason phrase longer than 763 bytes.", nameof(reason));
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination, 0);
        destination[ClassOffset] = (byte)(code / 100);
        destination[NumberOffset] = (byte)(code % 100);
        return ReasonOffset + Encoding.UTF8.GetBytes(reason, destination[ReasonOffset..]);
    }

    internal static int ValueLength(string reason) => ReasonOffset + Encoding.UTF8.GetByteCount(reason);
}
