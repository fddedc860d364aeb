using System.Globalization;

namespace Mcu.Bench;

/// <summary>The bench's command line.</summary>
public sealed record BenchOptions
{
    public const string Usage =
        "usage: Mcu.Bench [--participants N] [--seconds S] [--talkers K] [--find-max] [--json] [--compare FILE] [--baseline]";

    public int Participants { get; init; } = 8;

    public int Seconds { get; init; } = 20;

    /// <summary>How many of the participants send a tone (the others send silence); null: all of them.</summary>
    public int? Talkers { get; init; }

    /// <summary>Raise the participant count by 2 from <see cref="Participants"/> until a run fails <see cref="BenchFigures.Holds"/>.</summary>
    public bool FindMax { get; init; }

    /// <summary>Print one JSON line on stdout and the human text on stderr.</summary>
    public bool Json { get; init; }

    /// <summary>A file holding an earlier run's JSON line: fail when this run regressed from it.</summary>
    public string? CompareFile { get; init; }

    /// <summary>Also run FFmpeg's own grid pipeline at N=36 (<see cref="FfmpegGrid"/>) and print the server's CPU per participant against it.</summary>
    public bool Baseline { get; init; }

    public int TalkersIn(int participants) => Math.Min(Talkers ?? participants, participants);

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> saying what is wrong.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = new BenchOptions();
        for (int i = 0; i < args.Count; i++)
        {
            o = args[i] switch
            {
                "--participants" => o with { Participants = Count(args, ++i, 1) },
                "--seconds" => o with { Seconds = Count(args, ++i, 1) },
                "--talkers" => o with { Talkers = Count(args, ++i, 0) },
                "--find-max" => o with { FindMax = true },
                "--json" => o with { Json = true },
                "--compare" => o with { CompareFile = Value(args, ++i) },
                "--baseline" => o with { Baseline = true },
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }
        return o;
    }

    private static string Value(IReadOnlyList<string> args, int i) =>
        i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");

    private static int Count(IReadOnlyList<string> args, int i, int min)
    {
        string value = Value(args, i);
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < min)
        {
            throw new ArgumentException($"{args[i - 1]} needs a whole number >= {min}, not '{value}'");
        }
        return n;
    }
}
