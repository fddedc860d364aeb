namespace Mcu.Server.Layouts;

internal static partial class Log
{
    [LoggerMessage(300, LogLevel.Warning, "Layout template {File} skipped: {Error}")]
    public static partial void TemplateSkipped(ILogger logger, string file, string error);

    [LoggerMessage(301, LogLevel.Information, "Layout template {Name} saved")]
    public static partial void TemplateSaved(ILogger logger, string name);

    [LoggerMessage(302, LogLevel.Information, "Layout template {Name} deleted")]
    public static partial void TemplateDeleted(ILogger logger, string name);
}
