using HangfireLogLevel = Hangfire.Logging.LogLevel;
using Hangfire.Logging;

namespace Mcu.Server.Recording;

/// <summary>
/// Hangfire's logging into ASP.NET Core's. Hangfire keeps its log provider in a static, so with
/// several apps in one process (the tests) it may outlive the app whose logger factory it holds:
/// loggers are made lazily and a disposed factory drops the message instead of throwing.
/// </summary>
internal sealed class HangfireLogProvider(ILoggerFactory factory) : ILogProvider
{
    public ILog GetLogger(string name) => new ForwardingLog(factory, name);

    private sealed class ForwardingLog(ILoggerFactory factory, string name) : ILog
    {
        private ILogger? _logger;

        public bool Log(HangfireLogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                var logger = _logger ??= factory.CreateLogger(name);
                var level = Map(logLevel);
                if (messageFunc is null)
                {
                    return logger.IsEnabled(level);
                }
                if (logger.IsEnabled(level))
                {
                    logger.Log(level, 0, messageFunc(), exception, static (message, _) => message);
                }
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }

        private static Microsoft.Extensions.Logging.LogLevel Map(HangfireLogLevel level) => level switch
        {
            HangfireLogLevel.Trace => Microsoft.Extensions.Logging.LogLevel.Trace,
            HangfireLogLevel.Debug => Microsoft.Extensions.Logging.LogLevel.Debug,
            HangfireLogLevel.Info => Microsoft.Extensions.Logging.LogLevel.Information,
            HangfireLogLevel.Warn => Microsoft.Extensions.Logging.LogLevel.Warning,
            HangfireLogLevel.Error => Microsoft.Extensions.Logging.LogLevel.Error,
            _ => Microsoft.Extensions.Logging.LogLevel.Critical,
        };
    }
}
