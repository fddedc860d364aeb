using System.Globalization;

namespace Mcu.Bench;

/// <summary>Compares a run with a stored one (<c>--compare FILE</c>) and names what regressed beyond a tolerance.</summary>
public static class BenchComparison
{
    /// <summary>meanFps may fall by this fraction.</summary>
    public const double MeanFpsDrop = 0.10;

    /// <summary>latencyP95Ms may grow by this fraction.</summary>
    public const double LatencyP95Growth = 0.50;

    /// <summary>serverThreads may grow by this fraction.</summary>
    public const double ServerThreadsGrowth = 0.20;

    /// <summary>One line per regressed (or incomparable) figure; empty when the run holds up.</summary>
    public static IReadOnlyList<string> Regressions(BenchFigures run, BenchFigures baseline)
    {
        var found = new List<string>();
        if (run.Participants != baseline.Participants || run.Talkers != baseline.Talkers)
        {
            // Figures of different rooms say nothing about a regression.
            found.Add($"not comparable: this run has {run.Participants} participants ({run.Talkers} talking), the baseline {baseline.Participants} ({baseline.Talkers} talking)");
            return found;
        }
        if (run.MeanFps < baseline.MeanFps * (1 - MeanFpsDrop))
        {
            found.Add($"meanFps fell {Percent(baseline.MeanFps - run.MeanFps, baseline.MeanFps)}: {F(run.MeanFps)} against {F(baseline.MeanFps)} (tolerance {Percent(MeanFpsDrop)})");
        }
        if (baseline.LatencyP95Ms is long before)
        {
            if (run.LatencyP95Ms is not long now)
            {
                found.Add($"latencyP95Ms: none measured, against {before} ms");
            }
            else if (now > before * (1 + LatencyP95Growth))
            {
                found.Add($"latencyP95Ms grew {Percent(now - before, before)}: {now} ms against {before} ms (tolerance {Percent(LatencyP95Growth)})");
            }
        }
        if (run.ServerThreads > baseline.ServerThreads * (1 + ServerThreadsGrowth))
        {
            found.Add($"serverThreads grew {Percent(run.ServerThreads - baseline.ServerThreads, baseline.ServerThreads)}: {run.ServerThreads} against {baseline.ServerThreads} (tolerance {Percent(ServerThreadsGrowth)})");
        }
        return found;
    }

    private static string F(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Percent(double fraction) => (fraction * 100).ToString("0", CultureInfo.InvariantCulture) + " %";

    private static string Percent(double part, double whole) => whole == 0 ? "from 0" : Percent(part / whole);
}
