using Mcu.Rtc.Packetization;

namespace Mcu.Rtc.Tests.Audio;

public class RedPayloadTests
{
    [Fact]
    public void Parses_the_example_of_rfc_2198_section_3()
    {
        // Two blocks: a redundant one of PT 5 (offset 640, 7 bytes), then the primary of PT 0.
        byte[] payload =
        [
            0x85, 0x0A, 0x00, 0x07, // F=1 PT 5, offset 640 (14 bits), length 7 (10 bits)
            0x00,                   // F=0 PT 0
            1, 2, 3, 4, 5, 6, 7,    // redundant
            9, 9, 9,                // primary
        ];
        var blocks = new RedBlock[RedPayload.MaxBlocks];
        Assert.True(RedPayload.TryParse(payload, blocks, out int count));
        Assert.Equal(2, count);
        Assert.Equal(new RedBlock(5, 640, 5, 7), blocks[0]);
        Assert.Equal(new RedBlock(0, 0, 12, 3), blocks[1]);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], blocks[0].In(payload).ToArray());
        Assert.Equal([9, 9, 9], blocks[1].In(payload).ToArray());
    }

    [Fact]
    public void What_the_encoder_writes_parses_back_with_the_two_payloads_before_it()
    {
        var red = new RedEncoder(111);
        var buffer = new byte[RedEncoder.MaxLength(100)];
        var blocks = new RedBlock[RedPayload.MaxBlocks];
        byte[][] sent = [[1, 1, 1], [2, 2], [3, 3, 3, 3], [4]];
        for (int i = 0; i < sent.Length; i++)
        {
            int length = red.Encode(sent[i], (uint)(1000 + 960 * i), buffer);
            Assert.True(RedPayload.TryParse(buffer.AsSpan(0, length), blocks, out int count));
            Assert.Equal(Math.Min(i, 2) + 1, count);
            for (int b = 0; b < count; b++)
            {
                int back = count - 1 - b; // oldest first
                Assert.Equal(111, blocks[b].PayloadType);
                Assert.Equal(960 * back, blocks[b].TimestampOffset);
                Assert.Equal(sent[i - back], blocks[b].In(buffer.AsSpan(0, length)).ToArray());
            }
        }
    }

    [Fact]
    public void A_payload_too_old_for_14_bits_of_offset_is_not_repeated()
    {
        var red = new RedEncoder(111);
        var buffer = new byte[RedEncoder.MaxLength(10)];
        red.Encode([1, 2], 0, buffer);
        int length = red.Encode([3], 20_000, buffer); // after a 400 ms DTX gap
        var blocks = new RedBlock[RedPayload.MaxBlocks];
        Assert.True(RedPayload.TryParse(buffer.AsSpan(0, length), blocks, out int count));
        Assert.Equal(1, count);
        Assert.Equal([3], blocks[0].In(buffer.AsSpan(0, length)).ToArray());
    }

    [Theory]
    [InlineData(new byte[0])]                                  // nothing
    [InlineData(new byte[] { 0x80 })]                          // a redundant header cut short
    [InlineData(new byte[] { 0xEF, 0x00, 0x00, 0x05, 0x6F, 1, 2 })] // its 5 bytes overrun the payload
    [InlineData(new byte[] { 0xEF, 0x00, 0x00, 0x00 })]        // no primary header
    public void Malformed_payloads_are_refused(byte[] payload)
    {
        var blocks = new RedBlock[RedPayload.MaxBlocks];
        Assert.False(RedPayload.TryParse(payload, blocks, out _));
    }

    [Fact]
    public void More_blocks_than_room_are_refused()
    {
        var payload = new byte[4 * 9 + 1];
        for (int i = 0; i < 9; i++)
        {
            payload[4 * i] = 0x80 | 111;
        }
        payload[^1] = 111;
        Assert.False(RedPayload.TryParse(payload, new RedBlock[RedPayload.MaxBlocks], out _));
        Assert.False(RedPayload.TryParse(payload.AsSpan(4 * 8), new RedBlock[1], out _));
        Assert.True(RedPayload.TryParse(payload.AsSpan(4 * 8), new RedBlock[2], out int count));
        Assert.Equal(2, count);
    }
}
