using Mcu.Server.Recording;

namespace Mcu.Server.Tests.Recording;

/// <summary>Where recordings' files may be, what their reasons may say, and what a node is called.</summary>
public sealed class RecordingPathTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mcu-paths-" + Guid.NewGuid().ToString("N"));

    public RecordingPathTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("cannot create the recordings folder: The file '/srv/mcu/recordings' already exists.", "cannot create the recordings folder: The file 'recordings' already exists.")]
    [InlineData("Recording '/data/recordings/room-1.mp4': writing video failed: No space left on device", "Recording 'room-1.mp4': writing video failed: No space left on device")]
    [InlineData("faststart copy: ffmpeg exited 1: /tmp/x/a.mp4: Invalid data found", "faststart copy: ffmpeg exited 1: a.mp4: Invalid data found")]
    [InlineData("duration: ffprobe said 'N/A'", "duration: ffprobe said 'N/A'")]
    [InlineData("see http://example.test/a/b at 1280x720", "see http://example.test/a/b at 1280x720")]
    [InlineData("room closed", "room closed")]
    public void Reasons_keep_file_names_and_lose_absolute_paths(string reason, string shown) =>
        Assert.Equal(shown, Reasons.WithoutPaths(reason));

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../../../etc/passwd")]
    [InlineData("sub/room-1.mp4")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("room\0.mp4")]
    [InlineData(null)]
    public void A_name_that_leaves_the_recordings_folder_has_no_path(string? name)
    {
        var store = new RecordingStore(_folder);
        Assert.False(store.TryPathOf(name, out string path));
        Assert.Equal("", path);
    }

    [Fact]
    public void A_plain_file_name_is_in_the_folder_and_a_symbolic_link_out_of_it_is_refused()
    {
        var store = new RecordingStore(_folder);
        Assert.True(store.TryPathOf("room-20261129-101010-abc-1.mp4", out string path));
        Assert.Equal(Path.Combine(_folder, "room-20261129-101010-abc-1.mp4"), path);

        File.CreateSymbolicLink(Path.Combine(_folder, "link.mp4"), "/etc/passwd");
        Assert.False(store.TryPathOf("link.mp4", out _));
    }

    [Fact]
    public void The_node_name_is_the_setting_else_local_in_memory_else_the_host_name()
    {
        Assert.Equal("edge-1", RecordingSetup.NodeName("edge-1", sharedStorage: true).Name);
        Assert.Equal("edge-1", RecordingSetup.NodeName("edge-1", sharedStorage: false).Name);
        Assert.Equal("local", RecordingSetup.NodeName(null, sharedStorage: false).Name);
        Assert.Equal("local", RecordingSetup.NodeName("", sharedStorage: false).Name);
        Assert.Equal(Environment.MachineName, RecordingSetup.NodeName(null, sharedStorage: true).Name);
    }

    [Theory]
    [InlineData("x.recording.json", """{"id":"../../../tmp/p","room":"r","layout":"auto","state":"queued"}""")]
    [InlineData("y.recording.json", """{"id":null,"room":"r","layout":"auto","state":"queued"}""")]
    [InlineData("z.recording.json", """{"id":"other","room":"r","layout":"auto","state":"queued"}""")]
    [InlineData("w.recording.json", """{"id":"w","room":null,"layout":"auto","state":"queued"}""")]
    public void A_planted_sidecar_whose_id_is_not_its_own_is_not_a_recording_and_breaks_nothing(string file, string json)
    {
        File.WriteAllText(Path.Combine(_folder, file), json);
        var store = new RecordingStore(_folder);
        Assert.Empty(store.List());
        Assert.Null(store.Get(Path.GetFileName(file).Split('.')[0]));
        Assert.Throws<ArgumentException>(() => store.Save(new RecordingInfo { Id = "../../../tmp/p", Room = "r", Layout = "auto" }));
        Assert.False(File.Exists("/tmp/p.recording.json"));
    }
}
