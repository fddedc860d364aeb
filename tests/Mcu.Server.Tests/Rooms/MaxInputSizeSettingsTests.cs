using System.Net;
using System.Text;
using Mcu.Conference.Rooms;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.Server.Tests.Rooms;

/// <summary>
/// Mcu:MaxInputWidth/Height belong to the server's rooms, not to the process: rooms made through
/// the API and rooms made by a join both carry them, and two servers in one process keep their own.
/// </summary>
public sealed class MaxInputSizeSettingsTests
{
    private const string AdminKey = "max-input-settings-key";

    private static WebApplication Build(params string[] settings) => McuApp.Build([
        "--urls=http://127.0.0.1:0", "--Mcu:UdpBind=127.0.0.1", "--Mcu:UdpPort=0", $"--Mcu:AdminKey={AdminKey}",
        "--Logging:LogLevel:Default=Warning", .. settings]);

    [Fact]
    public async Task Each_server_s_rooms_carry_its_own_picture_limit()
    {
        await using var small = Build("--Mcu:MaxInputWidth=640", "--Mcu:MaxInputHeight=360");
        await using var standard = Build();
        await small.StartAsync();
        await standard.StartAsync();

        using var http = new HttpClient { BaseAddress = new Uri(small.Urls.First()) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        using var created = await http.PostAsync("/api/rooms", new StringContent("""{"name":"limited","maxTier":"low"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var smallRooms = small.Services.GetRequiredService<RoomDirectory>();
        Assert.True(smallRooms.TryGet("limited", out var viaApi));
        Assert.Equal((640, 360), viaApi.Options.MaxInputSize);
        Assert.Equal("low", viaApi.Options.MaxTier);
        Assert.Equal((640, 360), smallRooms.DefaultOptions.MaxInputSize); // what a join-made room gets

        // The other server, started after, did not change the first one's rooms, nor take its limit.
        Assert.Equal((1920, 1080), standard.Services.GetRequiredService<RoomDirectory>().DefaultOptions.MaxInputSize);
        Assert.Equal((640, 360), viaApi.Options.MaxInputSize);
    }
}
