using Mcu.Media.Audio;

namespace Mcu.Media.Tests.Audio;

public class ActiveSpeakerDetectorTests
{
    private const double Silent = AudioLevel.SilenceDbov;

    [Fact]
    public void SwitchesOnlyAfterTheHoldTime()
    {
        var detector = new ActiveSpeakerDetector(3, holdTicks: 15, marginDb: 6);
        for (int tick = 1; tick <= 15; tick++)
        {
            bool changed = detector.Update([-20, Silent, Silent]);
            Assert.Equal(tick == 15, changed);
            Assert.Equal(tick == 15 ? 0 : null, detector.CurrentSpeaker);
        }

        for (int tick = 1; tick <= 15; tick++)
        {
            detector.Update([-20, -10, Silent]);
            Assert.Equal(tick == 15 ? 1 : 0, detector.CurrentSpeaker);
        }
    }

    [Fact]
    public void ChallengerWithinTheMarginNeverTakesOver()
    {
        var detector = new ActiveSpeakerDetector(2, holdTicks: 15, marginDb: 6);
        for (int tick = 0; tick < 20; tick++)
        {
            detector.Update([-20, Silent]);
        }

        for (int tick = 0; tick < 200; tick++)
        {
            detector.Update([-20, -16]);
        }

        Assert.Equal(0, detector.CurrentSpeaker);
    }

    [Fact]
    public void AlternatingShortBurstsDoNotFlap()
    {
        var detector = new ActiveSpeakerDetector(3, holdTicks: 15, marginDb: 6);
        for (int tick = 0; tick < 20; tick++)
        {
            detector.Update([-30, Silent, Silent]);
        }

        int changes = 0;
        for (int tick = 0; tick < 300; tick++)
        {
            bool firstBurst = tick / 5 % 2 == 0; // 100 ms each, far shorter than the 300 ms hold
            changes += detector.Update([-30, firstBurst ? -5 : Silent, firstBurst ? Silent : -5]) ? 1 : 0;
        }

        Assert.Equal(0, changes);
        Assert.Equal(0, detector.CurrentSpeaker);
    }

    [Fact]
    public void SilenceKeepsTheLastSpeaker_PausesBetweenWordsDoNotResetAChallenger()
    {
        var detector = new ActiveSpeakerDetector(2, holdTicks: 15, marginDb: 6);
        for (int tick = 0; tick < 15; tick++)
        {
            detector.Update([-20, Silent]);
        }

        // Slot 1 talks with a one-tick pause every fourth tick: it still takes over after 15 ticks.
        for (int tick = 1; tick <= 15; tick++)
        {
            detector.Update([-40, tick % 4 == 0 ? Silent : -15]);
        }

        Assert.Equal(1, detector.CurrentSpeaker);
        for (int tick = 0; tick < 500; tick++)
        {
            detector.Update([Silent, Silent]);
        }

        Assert.Equal(1, detector.CurrentSpeaker);
        detector.Remove(1);
        Assert.Null(detector.CurrentSpeaker);
    }
}
