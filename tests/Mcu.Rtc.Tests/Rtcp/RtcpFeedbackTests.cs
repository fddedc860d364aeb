using Mcu.Rtc.Rtcp;
using static Mcu.Rtc.Tests.Rtcp.RtcpReportTests;

namespace Mcu.Rtc.Tests.Rtcp;

public class RtcpFeedbackTests
{
    private static List<ushort> Lost(GenericNack nack)
    {
        var lost = new List<ushort>();
        foreach (ushort sequence in nack.GetLostSequenceNumbers())
        {
            lost.Add(sequence);
        }

        return lost;
    }

    [Fact]
    public void NackExpandsPidAndBitmask()
    {
        // PID 100, BLP 0x8005: bits 0, 2 and 15 -> 101, 103, 116.
        Assert.True(GenericNack.TryParse(Hex("81cd0003 00000001 00000002 00648005"), out GenericNack nack));
        Assert.Equal(1u, nack.SenderSsrc);
        Assert.Equal(2u, nack.MediaSsrc);
        Assert.Equal(1, nack.ItemCount);
        Assert.Equal(new ushort[] { 100, 101, 103, 116 }, Lost(nack));
    }

    [Fact]
    public void NackBuiltFromLostListGroupsIntoItemsAndRoundTrips()
    {
        ushort[] lost = [100, 101, 103, 116, 117, 200, 65535, 0, 2];
        var nack = new GenericNack(9, 10, lost);
        Assert.Equal(4, nack.ItemCount); // {100..116}, {117}, {200}, {65535, 0, 2}
        byte[] bytes = new byte[nack.SerializedLength];
        nack.WriteTo(bytes);
        Assert.Equal(Hex("81cd0006 00000009 0000000a 00648005 00750000 00c80000 ffff0005"), bytes);

        Assert.True(GenericNack.TryParse(bytes, out GenericNack parsed));
        Assert.Equal(lost, Lost(parsed));
    }

    [Fact]
    public void PictureLossIndicationRoundTrips()
    {
        byte[] bytes = new byte[PictureLossIndication.Length];
        new PictureLossIndication(1, 0xABCDEF01).WriteTo(bytes);
        Assert.Equal(Hex("81ce0002 00000001 abcdef01"), bytes);
        Assert.True(PictureLossIndication.TryParse(bytes, out PictureLossIndication pli));
        Assert.Equal(new PictureLossIndication(1, 0xABCDEF01), pli);
        Assert.False(PictureLossIndication.TryParse(Hex("84ce0002 00000001 abcdef01"), out _)); // FMT 4 is FIR
    }

    [Fact]
    public void FullIntraRequestRoundTrips()
    {
        var fir = new FullIntraRequest(1, 10, 5);
        byte[] bytes = new byte[fir.SerializedLength];
        fir.WriteTo(bytes);
        Assert.Equal(Hex("84ce0004 00000001 00000000 0000000a 05000000"), bytes);
        Assert.True(FullIntraRequest.TryParse(bytes, out FullIntraRequest parsed));
        Assert.Equal(1, parsed.EntryCount);
        Assert.Equal((10u, (byte)5), parsed.GetEntry(0));
    }

    [Fact]
    public void RembEncodesMantissaAndExponent()
    {
        var remb = new ReceiverEstimatedMaxBitrate(1, 1_000_000, [0xABCDu]);
        byte[] bytes = new byte[remb.SerializedLength];
        remb.WriteTo(bytes);
        // 1 000 000 = 250 000 (0x3D090) * 2^2
        Assert.Equal(Hex("8fce0005 00000001 00000000 52454d42 010bd090 0000abcd"), bytes);

        Assert.True(ReceiverEstimatedMaxBitrate.TryParse(bytes, out ReceiverEstimatedMaxBitrate parsed));
        Assert.Equal(1_000_000ul, parsed.Bitrate);
        Assert.Equal(1, parsed.SsrcCount);
        Assert.Equal(0xABCDu, parsed.GetSsrc(0));

        bytes[12] = (byte)'X';
        Assert.False(ReceiverEstimatedMaxBitrate.TryParse(bytes, out _));
    }

    [Theory]
    [InlineData("81cd0002 00000001 00000002")] // NACK without FCI
    [InlineData("81cd0003 00000001 00000002")] // NACK length past the end
    [InlineData("84ce0002 00000001 00000000")] // FIR without entry
    [InlineData("8fce0004 00000001 00000000 52454d42 020bd090")] // REMB claims 2 SSRCs, has none
    public void MalformedFeedbackIsRejected(string hex)
    {
        byte[] bytes = Hex(hex);
        Assert.False(GenericNack.TryParse(bytes, out _));
        Assert.False(FullIntraRequest.TryParse(bytes, out _));
        Assert.False(ReceiverEstimatedMaxBitrate.TryParse(bytes, out _));
    }
}
