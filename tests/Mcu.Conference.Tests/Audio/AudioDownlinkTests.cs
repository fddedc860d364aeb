using Mcu.Conference.Mixing;
using Mcu.Conference.Send;
using Mcu.Rtc.Packetization;

namespace Mcu.Conference.Tests.Audio;

/// <summary>The mix to a participant who negotiated RED: copies of earlier packets only while their reports show loss.</summary>
public class AudioDownlinkTests
{
    private const int Opus = 111;

    private static int Blocks(ReadOnlySpan<byte> red, out RedBlock primary)
    {
        var blocks = new RedBlock[RedPayload.MaxBlocks];
        Assert.True(RedPayload.TryParse(red, blocks, out int count));
        primary = blocks[count - 1];
        return count;
    }

    [Fact]
    public void Copies_go_out_from_the_first_report_of_loss_until_ten_reports_show_none()
    {
        var downlink = new AudioDownlink(new RtpSender(1, 63, 48_000, keepHistory: false), Opus);
        long micros = 0;
        int Send(byte marker)
        {
            var red = downlink.Wrap([marker, 1, 2], micros);
            micros += 20_000;
            int count = Blocks(red, out var primary);
            Assert.Equal(Opus, primary.PayloadType);
            Assert.Equal(marker, primary.In(red)[0]);
            return count;
        }

        Assert.Equal(1, Send(1)); // no loss reported: the primary alone
        Assert.Equal(1, Send(2));
        downlink.OnLossReport(0.005);
        Assert.False(downlink.Repeating); // under 1 %
        downlink.OnLossReport(0.05);
        Assert.True(downlink.Repeating);
        Assert.Equal(3, Send(3)); // with 1 and 2
        for (int i = 0; i < AudioDownlink.QuietReportsOff - 1; i++)
        {
            downlink.OnLossReport(0);
        }
        Assert.Equal(3, Send(4));
        downlink.OnLossReport(0);
        Assert.False(downlink.Repeating);
        Assert.Equal(1, Send(5));
    }
}
