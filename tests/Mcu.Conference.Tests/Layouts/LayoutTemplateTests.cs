using Mcu.Conference.Layouts;

namespace Mcu.Conference.Tests.Layouts;

public class LayoutTemplateTests
{
    private static string ShippedFolder => Path.Combine(AppContext.BaseDirectory, "layouts");

    [Fact]
    public void Every_shipped_template_parses_and_none_is_skipped()
    {
        var store = new LayoutTemplateStore(ShippedFolder);
        Assert.Empty(store.Errors);
        var names = store.Templates.Select(t => t.Name).ToHashSet();
        foreach (var expected in new[] { "single", "side-by-side", "grid-4", "grid-9", "grid-16", "grid-25", "speaker", "picture-in-picture" })
        {
            Assert.Contains(expected, names);
        }
    }

    [Theory]
    [InlineData(1, "single")]
    [InlineData(2, "side-by-side")]
    [InlineData(3, "grid-4")]
    [InlineData(4, "grid-4")]
    [InlineData(6, "grid-6")]
    [InlineData(9, "grid-9")]
    [InlineData(12, "grid-16")]
    [InlineData(25, "grid-25")]
    public void Auto_picks_the_smallest_template_made_for_the_count(int participants, string expected)
    {
        var store = new LayoutTemplateStore(ShippedFolder);
        Assert.Equal(expected, store.Resolve(LayoutTemplate.Auto, participants)!.Name);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(12)]
    public void Auto_picks_the_presentation_while_someone_shares_and_a_people_template_again_after(int people)
    {
        var store = new LayoutTemplateStore(ShippedFolder);
        Assert.Equal("presentation", store.Resolve(LayoutTemplate.Auto, people, sharing: true)!.Name);
        Assert.NotEqual("presentation", store.Resolve(LayoutTemplate.Auto, people, sharing: false)!.Name);
    }

    [Fact]
    public void Without_a_presentation_template_auto_counts_a_screen_as_one_more_tile()
    {
        string folder = Directory.CreateTempSubdirectory("mcu-layouts-").FullName;
        foreach (var file in Directory.EnumerateFiles(ShippedFolder, "*.json").Where(f => !f.EndsWith("presentation.json")))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }
        var store = new LayoutTemplateStore(folder);
        Assert.Equal("grid-4", store.Resolve(LayoutTemplate.Auto, 2, sharing: true)!.Name);
        Assert.Equal("side-by-side", store.Resolve(LayoutTemplate.Auto, 2, sharing: false)!.Name);
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData("{", "")]
    [InlineData("""{"name":"x","regions":[]}""", "at least one region")]
    [InlineData("""{"name":"Bad Name","regions":[{"x":0,"y":0,"width":1,"height":1}]}""", "name")]
    [InlineData("""{"name":"x","regions":[{"x":0.5,"y":0,"width":0.6,"height":1}]}""", "regions[0]")]
    [InlineData("""{"name":"x","regions":[{"x":0,"y":0,"width":1,"height":1,"fit":"stretch"}]}""", "")]
    [InlineData("""{"name":"x","regions":[{"x":0,"y":0,"width":1,"height":1}],"colour":"red"}""", "colour")]
    [InlineData("""{"name":"x","regions":[{"x":0,"y":0,"width":1,"height":1,"source":"participant"}]}""", "participant")]
    [InlineData("""{"name":"auto","regions":[{"x":0,"y":0,"width":1,"height":1}]}""", "auto")]
    public void Broken_templates_are_refused_with_a_reason(string json, string mentioned)
    {
        var e = Assert.Throws<LayoutTemplateException>(() => LayoutTemplate.Parse(json));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        Assert.Contains(mentioned, e.Message);
    }

    [Fact]
    public void A_broken_file_is_reported_and_skipped_and_saving_is_atomic()
    {
        string folder = Directory.CreateTempSubdirectory("mcu-layouts").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "broken.json"), "{ not json");
            File.Copy(Path.Combine(ShippedFolder, "grid-4.json"), Path.Combine(folder, "grid-4.json"));
            var store = new LayoutTemplateStore(folder);
            Assert.True(store.TryGet("grid-4", out _));
            Assert.True(store.Errors.ContainsKey("broken.json"));

            store.Save("""{"name":"duo","participants":{"min":2,"max":2},"regions":[{"x":0,"y":0,"width":0.5,"height":1},{"x":0.5,"y":0,"width":0.5,"height":1}]}""");
            Assert.Equal(["broken.json", "duo.json", "grid-4.json"], Directory.GetFiles(folder).Select(f => Path.GetFileName(f)).Order().ToArray());
            Assert.Throws<LayoutTemplateException>(() => store.Save("""{"name":"duo","regions":[]}"""));
            Assert.Equal(2, new LayoutTemplateStore(folder).Templates.Single(t => t.Name == "duo").Regions.Count);
            Assert.True(store.Delete("duo"));
            Assert.False(File.Exists(Path.Combine(folder, "duo.json")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
