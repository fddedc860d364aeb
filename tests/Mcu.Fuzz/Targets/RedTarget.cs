using Mcu.Rtc.Packetization;

namespace Mcu.Fuzz.Targets;

/// <summary>
/// An RTP payload read as RED (RFC 2198). Properties: every accepted block lies inside the
/// payload, the blocks tile it after the headers with the primary last at offset 0, and
/// writing the blocks back gives the same bytes.
/// </summary>
internal static class RedTarget
{
    public static void Run(byte[] data)
    {
        Span<RedBlock> blocks = stackalloc RedBlock[RedPayload.MaxBlocks];
        if (!RedPayload.TryParse(data, blocks, out int count))
        {
            return;
        }
        int headers = 4 * (count - 1) + 1;
        int at = headers;
        for (int i = 0; i < count; i++)
        {
            var b = blocks[i];
            if (b.Offset != at || b.Length < 0 || b.Offset + b.Length > data.Length)
            {
                throw new FuzzInvariantException($"block {i} at {b.Offset}+{b.Length} in {data.Length} bytes, expected at {at}");
            }
            at += b.Length;
        }
        if (at != data.Length || blocks[count - 1].TimestampOffset != 0)
        {
            throw new FuzzInvariantException("the blocks do not end with the primary at the payload's end");
        }
        var written = new byte[data.Length];
        int w = 0;
        for (int i = 0; i < count - 1; i++)
        {
            w += RedPayload.WriteRedundantHeader(written.AsSpan(w), blocks[i].PayloadType, blocks[i].TimestampOffset, blocks[i].Length);
        }
        w += RedPayload.WritePrimaryHeader(written.AsSpan(w), blocks[count - 1].PayloadType);
        data.AsSpan(w).CopyTo(written.AsSpan(w));
        if (!written.AsSpan().SequenceEqual(data))
        {
            throw new FuzzInvariantException("the headers written back differ from the ones read");
        }
    }
}
