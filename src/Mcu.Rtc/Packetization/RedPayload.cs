using System.Buffers.Binary;

namespace Mcu.Rtc.Packetization;

/*
 RFC 2198 §3, an RTP payload for redundant audio data (RED): block headers, then the blocks
 in the same order, oldest first; the last header (F = 0) is the primary encoding's.

    0                   1                    2                   3
    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   |F|   block PT  |  timestamp offset         |   block length    |   F = 1: a redundant block
   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   |0|   block PT  |                                                   F = 0: the primary, whose
   +-+-+-+-+-+-+-+-+                                                   length is what is left
*/

/// <summary>One block of a RED payload: where its bytes are in the payload, and how much older it is than the packet.</summary>
public readonly record struct RedBlock(int PayloadType, int TimestampOffset, int Offset, int Length)
{
    /// <summary>The block's bytes in the payload it was parsed from.</summary>
    public ReadOnlySpan<byte> In(ReadOnlySpan<byte> payload) => payload.Slice(Offset, Length);
}

/// <summary>Reads and writes RFC 2198 RED payloads; no allocation.</summary>
public static class RedPayload
{
    /// <summary>Blocks a payload may hold, primary included; Chrome sends at most three.</summary>
    public const int MaxBlocks = 8;

    /// <summary>14 bits of timestamp offset.</summary>
    public const int MaxTimestampOffset = 0x3FFF;

    /// <summary>10 bits of block length.</summary>
    public const int MaxBlockLength = 0x3FF;

    private const int RedundantHeaderLength = 4;
    private const int PrimaryHeaderLength = 1;
    private const byte FollowsBit = 0x80;
    private const byte PayloadTypeMask = 0x7F;

    /// <summary>
    /// Splits <paramref name="payload"/> into <paramref name="blocks"/>, oldest first, the primary last
    /// (timestamp offset 0). False for a payload that is cut short, whose lengths overrun it, or that
    /// has more blocks than <paramref name="blocks"/> holds (at most <see cref="MaxBlocks"/> are read).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, Span<RedBlock> blocks, out int count)
    {
        count = 0;
        int capacity = Math.Min(blocks.Length, MaxBlocks);
        int header = 0;
        int redundantBytes = 0;
        while (true)
        {
            if (header >= payload.Length || count >= capacity)
            {
                return false;
            }
            byte first = payload[header];
            if ((first & FollowsBit) == 0)
            {
                break;
            }
            if (header + RedundantHeaderLength > payload.Length)
            {
                return false;
            }
            int rest = BinaryPrimitives.ReadUInt16BigEndian(payload[(header + 1)..]) << 8 | payload[header + 3];
            int length = rest & MaxBlockLength;
            blocks[count++] = new RedBlock(first & PayloadTypeMask, rest >> 10, 0, length);
            redundantBytes += length;
            header += RedundantHeaderLength;
        }
        int data = header + PrimaryHeaderLength;
        if (data + redundantBytes > payload.Length)
        {
            return false;
        }
        int offset = data;
        for (int i = 0; i < count; i++)
        {
            blocks[i] = blocks[i] with { Offset = offset };
            offset += blocks[i].Length;
        }
        blocks[count++] = new RedBlock(payload[header] & PayloadTypeMask, 0, offset, payload.Length - offset);
        return true;
    }

    /// <summary>Bytes <see cref="Write"/> needs for a primary of <paramref name="primaryLength"/> and redundant blocks totalling <paramref name="redundantLength"/>.</summary>
    public static int SerializedLength(int redundantBlocks, int redundantLength, int primaryLength) =>
        redundantBlocks * RedundantHeaderLength + PrimaryHeaderLength + redundantLength + primaryLength;

    /// <summary>Writes the header of one redundant block (call once per block, oldest first); returns 4.</summary>
    public static int WriteRedundantHeader(Span<byte> destination, int payloadType, int timestampOffset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)payloadType, 127u, nameof(payloadType));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)timestampOffset, (uint)MaxTimestampOffset, nameof(timestampOffset));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)MaxBlockLength, nameof(length));
        destination[0] = (byte)(FollowsBit | payloadType);
        int rest = timestampOffset << 10 | length;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)(rest >> 8));
        destination[3] = (byte)rest;
        return RedundantHeaderLength;
    }

    /// <summary>Writes the primary's one-byte header, which ends the headers; returns 1.</summary>
    public static int WritePrimaryHeader(Span<byte> destination, int payloadType)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)payloadType, 127u, nameof(payloadType));
        destination[0] = (byte)payloadType;
        return PrimaryHeaderLength;
    }
}
