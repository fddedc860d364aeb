using Mcu.Rtc.Rtcp;

namespace Mcu.Rtc.Tests.Rtcp;

public class RtcpReportTests
{
    internal static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    private static readonly ReportBlock BlockA = new(0x0A0B0C0D, 25, -3, 0x0001FFFF, 120, 0x11112222, 0x00010000);
    private static readonly ReportBlock BlockB = new(0x01020304, 0, 0x7FFFFF, 70000, 0, 0, 0);

    [Fact]
    public void SenderReportWritesRfc3550LayoutAndParsesBack()
    {
        var report = new SenderReport(0xCAFEBABE, 0xE1234567_89ABCDEF, 90000, 10, 12000, [BlockA]);
        byte[] bytes = new byte[report.SerializedLength];
        Assert.Equal(52, report.WriteTo(bytes));
        Assert.Equal(
            Hex("81c8000c cafebabe e1234567 89abcdef 00015f90 0000000a 00002ee0 "
                + "0a0b0c0d 19fffffd 0001ffff 00000078 11112222 00010000"),
            bytes);

        Assert.True(SenderReport.TryParse(bytes, out SenderReport parsed));
        Assert.Equal(0xCAFEBABEu, parsed.Ssrc);
        Assert.Equal(0xE1234567_89ABCDEFul, parsed.NtpTimestamp);
        Assert.Equal(90000u, parsed.RtpTimestamp);
        Assert.Equal(10u, parsed.PacketCount);
        Assert.Equal(12000u, parsed.OctetCount);
        Assert.Equal(1, parsed.ReportCount);
        Assert.Equal(BlockA, parsed.GetReportBlock(0));

        byte[] again = new byte[parsed.SerializedLength];
        parsed.WriteTo(again);
        Assert.Equal(bytes, again);
    }

    [Fact]
    public void ReceiverReportRoundTripsTwoBlocks()
    {
        var report = new ReceiverReport(7, [BlockA, BlockB]);
        byte[] bytes = new byte[report.SerializedLength];
        Assert.Equal(56, report.WriteTo(bytes));
        Assert.Equal(Hex("82c9000d 00000007"), bytes[..8]);

        Assert.True(ReceiverReport.TryParse(bytes, out ReceiverReport parsed));
        Assert.Equal(7u, parsed.Ssrc);
        Assert.Equal(2, parsed.ReportCount);
        Assert.Equal(BlockA, parsed.GetReportBlock(0));
        Assert.Equal(BlockB, parsed.GetReportBlock(1));
    }

    [Fact]
    public void CumulativeLostIsClampedToTwentyFourBits()
    {
        byte[] bytes = new byte[ReportBlock.Length];
        new ReportBlock(1, 0, -10_000_000, 0, 0, 0, 0).WriteTo(bytes);
        ReportBlock.TryParse(bytes, out ReportBlock block);
        Assert.Equal(-0x800000, block.CumulativeLost);
    }

    [Fact]
    public void SourceDescriptionCnameRoundTrips()
    {
        var sdes = new SourceDescription(0x11223344, "abc"u8);
        byte[] bytes = new byte[sdes.SerializedLength];
        Assert.Equal(16, sdes.WriteTo(bytes));
        Assert.Equal(Hex("81ca0003 11223344 0103616263 000000"), bytes);

        Assert.True(SourceDescription.TryParse(bytes, out SourceDescription parsed));
        Assert.True(parsed.TryGetCname(0, out uint ssrc, out ReadOnlySpan<byte> cname));
        Assert.Equal(0x11223344u, ssrc);
        Assert.Equal("abc"u8.ToArray(), cname.ToArray());
    }

    [Fact]
    public void SourceDescriptionFindsCnameAmongOtherItemsInSecondChunk()
    {
        // Chunk 1: CNAME "x"; chunk 2: NAME(2) "bob", CNAME "yz".
        byte[] bytes = Hex("82ca0006 00000001 010178 00 00000002 0203626f62 01027a79 000000");
        Assert.True(SourceDescription.TryParse(bytes, out SourceDescription parsed));
        Assert.Equal(2, parsed.ChunkCount);
        Assert.True(parsed.TryGetCname(1, out uint ssrc, out ReadOnlySpan<byte> cname));
        Assert.Equal(2u, ssrc);
        Assert.Equal("zy"u8.ToArray(), cname.ToArray());
        Assert.False(parsed.TryGetCname(2, out _, out _));
    }

    [Fact]
    public void GoodbyeWithReasonRoundTrips()
    {
        var bye = new Goodbye([1u, 2u], "bye"u8);
        byte[] bytes = new byte[bye.SerializedLength];
        Assert.Equal(16, bye.WriteTo(bytes));
        Assert.Equal(Hex("82cb0003 00000001 00000002 03627965"), bytes);

        Assert.True(Goodbye.TryParse(bytes, out Goodbye parsed));
        Assert.Equal(2, parsed.SourceCount);
        Assert.Equal(2u, parsed.GetSource(1));
        Assert.Equal("bye"u8.ToArray(), parsed.Reason.ToArray());
    }

    [Theory]
    [InlineData("81c80006 cafebabe e1234567 89abcdef 00015f90 0000000a 00002ee0")] // RC=1 but no block
    [InlineData("41c80006 cafebabe e1234567 89abcdef 00015f90 0000000a 00002ee0")] // version 1
    [InlineData("80c80006 cafebabe e1234567 89abcdef 00015f90 0000000a")] // length past the end
    [InlineData("80c90001 cafebabe")] // RR passed to the SR parser
    public void MalformedSenderReportsAreRejected(string hex) => Assert.False(SenderReport.TryParse(Hex(hex), out _));

    [Theory]
    [InlineData("81ca0002 11223344 01036162")] // item runs past the end
    [InlineData("81ca0002 11223344 01026162")] // no end item
    [InlineData("82ca0003 11223344 01016100 00000000")] // second chunk's SSRC missing
    public void MalformedSourceDescriptionsAreRejected(string hex) => Assert.False(SourceDescription.TryParse(Hex(hex), out _));

    [Fact]
    public void GoodbyeWithOverlongReasonIsRejected() =>
        Assert.False(Goodbye.TryParse(Hex("81cb0002 00000001 09627965"), out _));
}
