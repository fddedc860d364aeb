using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcu.Testing;
using Mcu.Conference.Rooms;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.Server.Tests.Layouts;

/// <summary>The templates in layouts/ over the API: listed (broken files reported), validated, saved atomically, deleted, applied live.</summary>
public sealed class LayoutApiTests : IClassFixture<ServerFixture>
{
    private const string Valid = """
        { "name": "two-rows", "participants": { "min": 2, "max": 2 },
          "regions": [ { "x": 0, "y": 0, "width": 1, "height": 0.5 }, { "x": 0, "y": 0.5, "width": 1, "height": 0.5 } ] }
        """;

    private readonly ServerFixture _server;

    public LayoutApiTests(ServerFixture server) => _server = server;

    private string FileOf(string name) => Path.Combine(_server.LayoutsFolder, name + ".json");

    [Fact]
    public async Task The_list_has_the_templates_and_names_the_broken_file_which_was_also_logged()
    {
        using var http = _server.CreateClient();
        var list = await http.GetFromJsonAsync<JsonElement>("/api/layouts");
        var names = list.GetProperty("templates").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Contains("grid-4", names);
        Assert.Contains("speaker", names);
        var error = Assert.Single(list.GetProperty("errors").EnumerateArray());
        Assert.Equal(ServerFixture.BrokenTemplateFile, error.GetProperty("file").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("error").GetString()));
        Assert.Contains(_server.LogLines, line => line.StartsWith("Warning") && line.Contains(ServerFixture.BrokenTemplateFile));

        var one = await http.GetFromJsonAsync<JsonElement>("/api/layouts/grid-4");
        Assert.Equal(4, one.GetProperty("regions").GetArrayLength());
        // What GET gives, PUT takes back.
        using var admin = _server.CreateAdminClient();
        using var roundTrip = await admin.PutAsync("/api/layouts/grid-4", ServerFixture.Json(one.GetRawText()));
        Assert.Equal(HttpStatusCode.OK, roundTrip.StatusCode);
        using var missing = await http.GetAsync("/api/layouts/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Validation_says_what_is_wrong_and_saves_nothing()
    {
        using var admin = _server.CreateAdminClient();
        using var ok = await admin.PostAsync("/api/layouts/validate", ServerFixture.Json(Valid.Replace("two-rows", "checked-only")));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(2, (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("capacity").GetInt32());
        Assert.False(File.Exists(FileOf("checked-only")));

        foreach (var (json, mentioned) in new[]
                 {
                     (Valid.Replace("\"x\": 0, \"y\": 0,", "\"x\": 2, \"y\": 0,"), "/regions/0/x"),          // schema: out of 0..1
                     (Valid.Replace("\"height\": 0.5 }", "\"height\": 0.5, \"colour\": 1 }"), "colour"),   // schema: unknown property
                     (Valid.Replace("\"name\": \"two-rows\",", ""), "name"),                              // schema: required
                     (Valid.Replace("\"x\": 0, \"y\": 0,", "\"x\": 0.6, \"y\": 0,"), "inside"),           // our rule: stays on the canvas
                     ("{ \"name\": \"two-rows\", \"regions\": [ ", "JSON"),                                 // malformed
                 })
        {
            using var bad = await admin.PostAsync("/api/layouts/validate", ServerFixture.Json(json));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains(mentioned, problem.GetProperty("detail").GetString());
            Assert.True(problem.GetProperty("errors").GetArrayLength() >= 1);

            using var put = await admin.PutAsync("/api/layouts/two-rows", ServerFixture.Json(json));
            Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
            Assert.False(File.Exists(FileOf("two-rows")));
        }
    }

    [Fact]
    public async Task A_template_is_added_replaced_and_deleted_as_a_file()
    {
        using var admin = _server.CreateAdminClient();
        using var mismatch = await admin.PutAsync("/api/layouts/other-name", ServerFixture.Json(Valid.Replace("two-rows", "three-rows")));
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.False(File.Exists(FileOf("other-name")));

        string json = Valid.Replace("two-rows", "saved-rows");
        using var added = await admin.PutAsync("/api/layouts/saved-rows", ServerFixture.Json(json));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(json, File.ReadAllText(FileOf("saved-rows")));
        Assert.Empty(Directory.EnumerateFiles(_server.LayoutsFolder, "*.tmp-*"));

        string replaced = json.Replace("\"max\": 2", "\"max\": 3");
        using var replace = await admin.PutAsync("/api/layouts/saved-rows", ServerFixture.Json(replaced));
        Assert.Equal(HttpStatusCode.OK, replace.StatusCode);
        Assert.Equal(replaced, File.ReadAllText(FileOf("saved-rows")));
        var listed = await admin.GetFromJsonAsync<JsonElement>("/api/layouts/saved-rows");
        Assert.Equal(3, listed.GetProperty("participants").GetProperty("max").GetInt32());

        using var deleted = await admin.DeleteAsync("/api/layouts/saved-rows");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.False(File.Exists(FileOf("saved-rows")));
        using var deletedAgain = await admin.DeleteAsync("/api/layouts/saved-rows");
        Assert.Equal(HttpStatusCode.NotFound, deletedAgain.StatusCode);
    }

    [Fact]
    public async Task A_template_a_room_uses_cannot_be_deleted_and_an_unknown_one_cannot_be_applied()
    {
        using var admin = _server.CreateAdminClient();
        using var added = await admin.PutAsync("/api/layouts/in-use", ServerFixture.Json(Valid.Replace("two-rows", "in-use")));
        using var created = await admin.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"l-use","layout":"in-use"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var delete = await admin.DeleteAsync("/api/layouts/in-use");
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.True(File.Exists(FileOf("in-use")));

        using var unknown = await admin.PutAsync("/api/rooms/l-use/layout", ServerFixture.Json("""{"layout":"nope"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        using var noRoom = await admin.PutAsync("/api/rooms/l-none/layout", ServerFixture.Json("""{"layout":"auto"}"""));
        Assert.Equal(HttpStatusCode.NotFound, noRoom.StatusCode);
        using var auto = await admin.PutAsync("/api/rooms/l-use/layout", ServerFixture.Json("""{"layout":"auto"}"""));
        Assert.Equal(HttpStatusCode.OK, auto.StatusCode);
        using var nowFree = await admin.DeleteAsync("/api/layouts/in-use");
        Assert.Equal(HttpStatusCode.NoContent, nowFree.StatusCode);
    }

    [Fact]
    public async Task Applying_a_layout_to_a_live_room_changes_the_pixels_a_participant_decodes()
    {
        using var admin = _server.CreateAdminClient();
        var options = new BotOptions { BearerToken = ServerFixture.AdminKey, ToneHz = null };
        await using var red = await ParticipantBot.JoinAsync(admin, new Uri(_server.BaseAddress, "/api/rooms/l-live/whip?name=red"),
            options with { Name = "red", Colour = (220, 40, 40) });
        await using var green = await ParticipantBot.JoinAsync(admin, new Uri(_server.BaseAddress, "/api/rooms/l-live/whip?name=green"),
            options with { Name = "green", Colour = (40, 200, 40) });
        // auto → side-by-side: green on the right.
        await Eventually.Get(() => Task.FromResult(red.LatestPicture()),
            p => p is not null && Signals.Near(Signals.AverageColour(p, 0.75, 0.5), (40, 200, 40), 45),
            TimeSpan.FromSeconds(20), "green on the right (side by side)");

        using var applied = await admin.PutAsync("/api/rooms/l-live/layout", ServerFixture.Json("""{"layout":"single"}"""));
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        // single: the first to join (red) fills the canvas, so the right half turns red.
        await Eventually.Get(() => Task.FromResult(red.LatestPicture()),
            p => p is not null && Signals.Near(Signals.AverageColour(p, 0.75, 0.5), (220, 40, 40), 45),
            TimeSpan.FromSeconds(10), "red filling the canvas (single)");
        Assert.True(_server.Services.GetRequiredService<RoomDirectory>().TryGet("l-live", out var room));
        Assert.Equal("single", room.CurrentTemplate!.Name);
    }
}
