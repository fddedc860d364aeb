using Microsoft.Playwright;

namespace Mcu.EndToEnd.Tests;

/// <summary>A server for the page tests, with a recordings folder of its own.</summary>
public sealed class PageServerFixture : ServerFixture
{
    private readonly string _recordings = Path.Combine(Path.GetTempPath(), $"mcu-page-{Guid.NewGuid():N}"[..24]);

    protected override string[] Settings => [$"--Mcu:RecordingsPath={_recordings}"];

    public string Url(string pathAndFragment) => new Uri(BaseAddress, pathAndFragment).ToString();
}

/// <summary>
/// Screenshots the page tests keep as artefacts: <c>tests/Mcu.EndToEnd.Tests/TestResults/screenshots/</c>
/// (or the folder in <c>MCU_SCREENSHOTS</c>), one PNG per step, overwritten by the next run.
/// </summary>
public static class Screenshots
{
    public static string Folder { get; } = Environment.GetEnvironmentVariable("MCU_SCREENSHOTS") is { Length: > 0 } folder ? folder : Default();

    public static async Task TakeAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder, name + ".png") });
    }

    private static string Default()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mcu.EndToEnd.Tests.csproj")))
            {
                return Path.Combine(dir.FullName, "TestResults", "screenshots");
            }
        }
        return Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
    }
}
