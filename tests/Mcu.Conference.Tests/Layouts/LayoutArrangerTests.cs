using Mcu.Conference.Layouts;

namespace Mcu.Conference.Tests.Layouts;

public class LayoutArrangerTests
{
    private static LayoutTemplateStore Store => new(Path.Combine(AppContext.BaseDirectory, "layouts"));

    private static List<LayoutMember> Members(int n) =>
        Enumerable.Range(0, n).Select(i => new LayoutMember("p" + i, "Person " + i)).ToList();

    [Fact]
    public void Grid_4_puts_four_people_in_the_four_quarters_in_join_order()
    {
        Store.TryGet("grid-4", out var template);
        var tiles = LayoutArranger.Arrange(template, Members(4), speakerId: null);
        Assert.Equal(["p0", "p1", "p2", "p3"], tiles.Select(t => t.ParticipantId));
        Assert.Equal((0.5, 0.5), (tiles[3].X, tiles[3].Y));
        Assert.All(tiles, t => Assert.Equal((0.5, 0.5), (t.Width, t.Height)));
    }

    [Fact]
    public void Speaker_layout_puts_the_speaker_big_and_the_others_in_the_strip()
    {
        Store.TryGet("speaker", out var template);
        var tiles = LayoutArranger.Arrange(template, Members(4), speakerId: "p2");
        var big = tiles.Single(t => t.Height > 0.5);
        Assert.Equal("p2", big.ParticipantId);
        var strip = tiles.Where(t => t != big).ToList();
        Assert.Equal(["p0", "p1", "p3"], strip.Select(t => t.ParticipantId));
        Assert.All(strip, t => Assert.True(t.Y >= 0.78 - 1e-9));
        // Three cells in a strip of up to six: equal widths, centred, no overlap.
        Assert.True(strip[0].X + strip[0].Width <= strip[1].X + 1e-9);
    }

    [Fact]
    public void Picture_in_picture_draws_the_small_tile_on_top()
    {
        Store.TryGet("picture-in-picture", out var template);
        var tiles = LayoutArranger.Arrange(template, Members(2), speakerId: "p1");
        Assert.Equal("p1", tiles[0].ParticipantId);
        Assert.True(tiles[1].Z > tiles[0].Z);
        Assert.True(tiles[1].Width < 0.5);
    }

    [Fact]
    public void A_grid_region_shrinks_its_cells_to_the_people_it_gets()
    {
        Store.TryGet("grid-16", out var template);
        var tiles = LayoutArranger.Arrange(template, Members(10), null);
        Assert.Equal(10, tiles.Count);
        Assert.Equal(10, tiles.Select(t => (t.X, t.Y)).Distinct().Count());
        Assert.All(tiles, t => Assert.InRange(t.X + t.Width, 0, 1 + 1e-9));
        Assert.Equal((3, 4), LayoutArranger.GridShape(10, new RegionGrid(4, 4)));
        Assert.Equal((1, 6), LayoutArranger.GridShape(6, new RegionGrid(1, 6)));
    }

    [Fact]
    public void Whoever_does_not_fit_is_left_out_and_nobody_appears_twice()
    {
        Store.TryGet("grid-4", out var template);
        var tiles = LayoutArranger.Arrange(template, Members(7), null);
        Assert.Equal(4, tiles.Count);
        Assert.Equal(4, tiles.Select(t => t.ParticipantId).Distinct().Count());
    }

    [Fact]
    public void Presentation_puts_the_screen_in_the_large_region_whole_and_the_people_in_the_strip()
    {
        Store.TryGet("presentation", out var template);
        var members = Members(3);
        members.Insert(1, new LayoutMember("s1", "Person 0's screen", IsScreen: true));
        var tiles = LayoutArranger.Arrange(template, members, speakerId: null);
        var screen = tiles.Single(t => t.ParticipantId == "s1");
        Assert.Equal((0.0, 0.0, 1.0, 0.8), (screen.X, screen.Y, screen.Width, screen.Height));
        Assert.Equal(RegionFit.Contain, screen.Fit);
        var strip = tiles.Where(t => t != screen).ToList();
        Assert.Equal(["p0", "p1", "p2"], strip.Select(t => t.ParticipantId));
        Assert.All(strip, t => Assert.True(t.Y >= 0.8 - 1e-9));
    }

    [Fact]
    public void Without_a_screen_region_a_screen_is_a_tile_like_a_person_but_never_cropped_and_never_the_speaker()
    {
        Store.TryGet("speaker", out var template);
        var members = new List<LayoutMember> { new("s1", "screen", IsScreen: true), new("p0", "Person 0"), new("p1", "Person 1") };
        var tiles = LayoutArranger.Arrange(template, members, speakerId: null);
        Assert.Equal(3, tiles.Count);
        // The speaker region takes the first person, not the screen that joined first.
        Assert.Equal("p0", tiles.Single(t => t.Height > 0.5).ParticipantId);
        Assert.Equal(RegionFit.Contain, tiles.Single(t => t.ParticipantId == "s1").Fit);
    }

    [Fact]
    public void People_never_go_into_a_screen_region_and_an_empty_screen_region_stays_empty()
    {
        Store.TryGet("presentation", out var template);
        var tiles = LayoutArranger.Arrange(template, Members(2), speakerId: null);
        Assert.Equal(["p0", "p1"], tiles.Select(t => t.ParticipantId));
        Assert.All(tiles, t => Assert.True(t.Y >= 0.8 - 1e-9));
    }
}
