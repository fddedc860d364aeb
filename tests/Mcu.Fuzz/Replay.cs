using System.Diagnostics;

namespace Mcu.Fuzz;

/// <summary>Runs saved inputs (AFL's crashes and hangs, regression files) once each through a target.</summary>
internal static class Replay
{
    public static int Run(string name, Action<byte[]> target, IEnumerable<string> paths)
    {
        int failures = 0;
        var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Where(f => !f.EndsWith("README.txt", StringComparison.Ordinal)) : [p]);
        foreach (string file in files.Order(StringComparer.Ordinal))
        {
            var watch = Stopwatch.StartNew();
            try
            {
                target(File.ReadAllBytes(file));
                Console.WriteLine($"{name}: {Path.GetFileName(file)}: ok in {watch.ElapsedMilliseconds} ms");
            }
            catch (Exception e)
            {
                failures++;
                Console.WriteLine($"{name}: {Path.GetFileName(file)}: {e.GetType().Name} after {watch.ElapsedMilliseconds} ms");
                Console.WriteLine(e.ToString());
            }
        }
        return failures == 0 ? 0 : 1;
    }
}
