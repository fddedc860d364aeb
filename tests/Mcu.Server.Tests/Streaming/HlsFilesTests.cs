using Mcu.Server.Streaming;

namespace Mcu.Server.Tests.Streaming;

/// <summary>Only the muxer's own files of a room's HLS folder are served, and each room's folder stays inside the HLS folder.</summary>
public sealed class HlsFilesTests
{
    [Theory]
    [InlineData("index.m3u8", true)]
    [InlineData("init.mp4", true)]
    [InlineData("segment00000.m4s", true)]
    [InlineData("segment123456789.m4s", true)]
    [InlineData("index.m3u8.tmp", false)]
    [InlineData("segment00001.m4s.tmp", false)]
    [InlineData("../index.m3u8", false)]
    [InlineData("..", false)]
    [InlineData("segment1.m4s", false)]
    [InlineData("other.mp4", false)]
    [InlineData("", false)]
    public void Serves_the_playlist_the_init_segment_and_media_segments_only(string name, bool served) =>
        Assert.Equal(served, HlsFiles.IsServed(name));

    [Theory]
    [InlineData("lobby")]
    [InlineData("../../etc")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("ünïcode room")]
    public void A_room_s_folder_is_a_child_of_the_hls_folder(string room)
    {
        var settings = new StreamSettings { HlsFolder = "/srv/hls", Queue = "q" };
        string folder = settings.HlsFolderOf(room);
        Assert.Equal("/srv/hls", Path.GetDirectoryName(folder));
        Assert.Equal(Path.GetFullPath(folder), folder);
    }

    [Fact]
    public void Rooms_whose_names_differ_only_in_unsafe_characters_get_different_folders()
    {
        var settings = new StreamSettings { HlsFolder = "/srv/hls", Queue = "q" };
        Assert.NotEqual(settings.HlsFolderOf("a/b"), settings.HlsFolderOf("a_b"));
    }
}
