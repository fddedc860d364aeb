using Mcu.Rtc.Packetization;

namespace Mcu.Rtc.Tests.Packetization;

public class OpusPacketTests
{
    [Theory]
    [InlineData(0x78, false, 960, 15)]  // hybrid FB 20 ms mono: libopus VoIP default
    [InlineData(0xFC, true, 960, 31)]   // CELT FB 20 ms stereo
    [InlineData(0x18, false, 2880, 3)]  // SILK NB 60 ms
    [InlineData(0x80, false, 120, 16)]  // CELT NB 2.5 ms
    [InlineData(0x08, false, 960, 1)]   // SILK NB 20 ms
    public void SingleFramePacketGivesConfigAndDuration(byte toc, bool stereo, int samples, int config)
    {
        Assert.True(OpusPacket.TryParse([toc, 0x12, 0x34, 0x56], out var opus));
        Assert.Equal(config, opus.Config);
        Assert.Equal(stereo, opus.IsStereo);
        Assert.Equal(1, opus.FrameCount);
        Assert.Equal(samples, opus.DurationSamples);
    }

    [Fact]
    public void TocOnlyPacketIsAValidEmptyFrame()
    {
        // A DTX / lost-frame packet: frame length 0 (RFC 6716 §3.2.1).
        Assert.True(OpusPacket.TryParse([0x78], out var opus));
        Assert.Equal(960, opus.DurationSamples);
    }

    [Fact]
    public void TwoEqualFramesNeedAnEvenLength()
    {
        Assert.True(OpusPacket.TryParse([0x79, 1, 2, 3, 4], out var opus));
        Assert.Equal(2, opus.FrameCount);
        Assert.Equal(1920, opus.DurationSamples);
        Assert.False(OpusPacket.TryParse([0x79, 1, 2, 3], out _));
    }

    [Fact]
    public void TwoSizedFramesUseTwoByteLengths()
    {
        byte[] packet = [0x7A, 252, 1, .. new byte[256 + 10]]; // first frame 252 + 4 = 256 bytes
        Assert.True(OpusPacket.TryParse(packet, out var opus));
        Assert.Equal(2, opus.FrameCount);
        Assert.False(OpusPacket.TryParse(packet.AsSpan(0, 3 + 255), out _));
        Assert.False(OpusPacket.TryParse([0x7A, 252], out _));
    }

    [Fact]
    public void Code3ChecksCountPaddingAndLengths()
    {
        // CBR, 3 frames of 2 bytes.
        Assert.True(OpusPacket.TryParse([0xFB, 0x03, 1, 2, 3, 4, 5, 6], out var cbr));
        Assert.Equal(3, cbr.FrameCount);
        Assert.Equal(2880, cbr.DurationSamples);
        Assert.False(OpusPacket.TryParse([0xFB, 0x03, 1, 2, 3, 4, 5], out _));

        // CBR, 2 frames, 2 bytes of padding.
        Assert.True(OpusPacket.TryParse([0xFB, 0x42, 0x02, 1, 2, 3, 4, 0, 0], out _));
        Assert.False(OpusPacket.TryParse([0xFB, 0x42, 0x09, 1, 2, 3, 4, 0, 0], out _));

        // VBR, 2 frames: 3 bytes then the rest (5 bytes).
        Assert.True(OpusPacket.TryParse([0xFB, 0x82, 0x03, 1, 2, 3, 4, 5, 6, 7, 8], out var vbr));
        Assert.Equal(2, vbr.FrameCount);
        Assert.False(OpusPacket.TryParse([0xFB, 0x82, 0x0A, 1, 2, 3], out _));

        // Zero frames, and 7 x 20 ms = 140 ms > 120 ms.
        Assert.False(OpusPacket.TryParse([0xFB, 0x00], out _));
        Assert.False(OpusPacket.TryParse([0xFB, 0x07, 1, 2, 3, 4, 5, 6, 7], out _));
        Assert.False(OpusPacket.TryParse([0xFB], out _));
    }

    [Fact]
    public void OversizedOrEmptyPacketsAreRejected()
    {
        Assert.False(OpusPacket.TryParse([], out _));
        Assert.False(OpusPacket.TryParse(new byte[1 + 1276], out _));
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(5);
        var buffer = new byte[1500];
        int valid = 0;
        for (int i = 0; i < 20_000; i++)
        {
            int length = random.Next(0, random.Next(2) == 0 ? 12 : buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            if (OpusPacket.TryParse(buffer.AsSpan(0, length), out var opus))
            {
                valid++;
                Assert.InRange(opus.DurationSamples, 120, 5760);
            }
        }
        Assert.InRange(valid, 1, 19_999);
    }
}
