using Mcu.Conference.Mixing;
using Mcu.Media.Codecs;

namespace Mcu.Conference.Tests.Mixing;

/// <summary>Last N: who is seen follows the voice, with hysteresis; pinned and the speaker always stay.</summary>
public class StageTests
{
    private static List<MixMember> People(int count) =>
        Enumerable.Range(0, count).Select(i => new MixMember($"p{i}", false, null, null, null, null, VideoCodec.Vp8)).ToList();

    private static string[] Visible(Stage stage, List<MixMember> people, int capacity, long nowMs, string? speaker = null)
    {
        var list = people.ToList();
        stage.Arrange(list, capacity, speaker, nowMs);
        return list.Take(capacity).Select(m => m.Id).ToArray();
    }

    [Fact]
    public void While_everyone_fits_the_order_is_join_order_and_nothing_moves()
    {
        var stage = new Stage();
        var people = People(4);
        people[3].LastSpokeMs = 1000;
        Assert.Equal(["p0", "p1", "p2", "p3"], Visible(stage, people, 9, 1000));
    }

    [Fact]
    public void Someone_off_stage_who_speaks_takes_the_place_of_the_longest_silent_and_the_others_keep_theirs()
    {
        var stage = new Stage();
        var people = People(12);
        long t = 10_000;
        Assert.Equal(["p0", "p1", "p2", "p3"], Visible(stage, people, 4, t - Stage.MinOnStageMs));
        foreach (var p in people.Take(4))
        {
            p.LastSpokeMs = 2_000;
        }
        people[1].LastSpokeMs = 1_000;     // the longest silent of those seen
        people[10].LastSpokeMs = t;        // speaks, off stage

        Assert.Equal(["p0", "p10", "p2", "p3"], Visible(stage, people, 4, t));
        // p1 went to the front of those off stage.
        var order = people.ToList();
        stage.Arrange(order, 4, null, t);
        Assert.Equal("p1", order[4].Id);
    }

    [Fact]
    public void Someone_just_brought_in_or_just_silent_is_not_replaced_at_once()
    {
        var stage = new Stage();
        var people = People(6);
        long t = 100_000;
        Visible(stage, people, 2, t - Stage.MinOnStageMs);    // p0, p1 on stage since then
        people[0].LastSpokeMs = t - 500;                      // spoke half a second ago: stays
        people[1].LastSpokeMs = t - Stage.ReplaceSilentForMs - 1;
        people[4].LastSpokeMs = t;
        people[5].LastSpokeMs = t;

        // Only p1 may go: one of the two newcomers comes in, the other waits.
        var seen = Visible(stage, people, 2, t);
        Assert.Equal("p0", seen[0]);
        Assert.Contains(seen[1], new[] { "p4", "p5" });
        // A moment later the other still waits: whoever came in stays at least MinOnStageMs.
        people[4].LastSpokeMs = people[5].LastSpokeMs = t + 500;
        Assert.Equal(seen, Visible(stage, people, 2, t + 500));
    }

    [Fact]
    public void The_pinned_and_the_speaker_are_always_seen_and_never_replaced()
    {
        var stage = new Stage();
        var people = People(10);
        long t = 50_000;
        people[7].Pinned = true;
        var seen = Visible(stage, people, 3, t, speaker: "p9");
        Assert.Contains("p7", seen);
        Assert.Contains("p9", seen);

        // Everyone else speaks; the pinned one and the speaker, silent, stay.
        foreach (var p in people.Where(p => p.Id is not ("p7" or "p9")))
        {
            p.LastSpokeMs = t + 60_000;
        }
        var later = Visible(stage, people, 3, t + 60_000, speaker: "p9");
        Assert.Contains("p7", later);
        Assert.Contains("p9", later);
    }

    [Fact]
    public void When_someone_seen_leaves_the_first_off_stage_moves_up()
    {
        var stage = new Stage();
        var people = People(5);
        Visible(stage, people, 3, 0);
        people.RemoveAt(1);
        Assert.Equal(["p0", "p2", "p3"], Visible(stage, people, 3, 10));
    }
}
