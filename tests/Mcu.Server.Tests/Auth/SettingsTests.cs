using Microsoft.Extensions.Options;

namespace Mcu.Server.Tests.Auth;

/// <summary>Settings that would open the API to every site, or shut the server to everyone, stop it at start.</summary>
public sealed class SettingsTests
{
    [Theory]
    [InlineData("--Mcu:Cors:Origins:0=*", "Mcu:Cors:Origins")]
    [InlineData("--Mcu:Limits:MaxRooms=0", "Mcu:Limits")]
    [InlineData("--Mcu:Limits:MaxSessionsPerToken=-1", "Mcu:Limits")]
    [InlineData("--Mcu:Limits:MaxTcpConnectionsPerAddress=0", "Mcu:Limits")]
    public async Task A_setting_that_opens_or_shuts_everything_refuses_to_start_and_says_which(string setting, string named)
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = McuApp.Build(["--urls=http://127.0.0.1:0", "--Mcu:UdpBind=127.0.0.1", "--Mcu:UdpPort=0",
                "--Mcu:AdminKey=settings-test", "--Logging:LogLevel:Default=Warning", setting]);
            await app.StartAsync();
        });
        Assert.Contains(named, refused.Message);
    }
}
