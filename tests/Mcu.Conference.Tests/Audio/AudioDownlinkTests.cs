using Mcu.Conference.Mixing;
using Mcu.Rtc.Session;
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
    public void Copies_go_out_until_ten_reports_show_no_loss_and_again_from_the_first_that_shows_some()
    {
        var downlink = new AudioDownlink(new RtpSendStream(1, 63, 48_000, keepHistory: false), Opus);
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

        Assert.True(downlink.Repeating); // until reports say the way is clean
        Assert.Equal(1, Send(1)); // nothing before it to repeat
        Assert.Equal(2, Send(2)); // with 1
        for (int i = 0; i < AudioDownlink.QuietReportsOff; i++)
        {
            downlink.OnLossReport(i == 0 ? 0.005 : 0); // under 1 % counts as clean
        }
        Assert.False(downlink.Repeating);
        Assert.Equal(1, Send(3)); // the primary alone
        downlink.OnLossReport(0.05);
        Assert.True(downlink.Repeating);
        Assert.Equal(3, Send(4)); // with 2 and 3
        for (int i = 0; i < AudioDownlink.QuietReportsOff - 1; i++)
        {
            downlink.OnLossReport(0);
        }
        Assert.Equal(3, Send(5));
        downlink.OnLossReport(0);
        Assert.False(downlink.Repeating);
        Assert.Equal(1, Send(6));
    }
}
