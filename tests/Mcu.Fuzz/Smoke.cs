namespace Mcu.Fuzz;

/// <summary>
/// Every target over random inputs and bit-flipped, truncated and spliced copies of its seed
/// corpus (corpus/TARGET beside the binary), without a fuzzer: what the test suite runs so a
/// target that throws is found in CI even where AFL++ is not installed.
/// </summary>
public static class Smoke
{
    public static IEnumerable<(string Target, int Runs)> RunAll(int inputsPerTarget, int seed = 1)
    {
        foreach (var (name, target) in FuzzTargets.All)
        {
            var random = new Random(seed);
            var corpus = Seeds(name);
            for (int i = 0; i < inputsPerTarget; i++)
            {
                var input = Next(random, corpus);
                try
                {
                    target(input);
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"fuzz target '{name}' threw on input {Convert.ToHexString(input)}", e);
                }
            }
            yield return (name, inputsPerTarget);
        }
    }

    /// <summary>The committed seeds of a target; empty when the corpus was not copied beside the binary.</summary>
    public static List<byte[]> Seeds(string target)
    {
        string directory = Path.Combine(AppContext.BaseDirectory, "corpus", target);
        return Directory.Exists(directory)
            ? Directory.GetFiles(directory).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList()
            : [];
    }

    private static byte[] Next(Random random, List<byte[]> corpus)
    {
        if (random.Next(4) == 0 || corpus.Count == 0)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            return bytes;
        }
        var copy = (byte[])corpus[random.Next(corpus.Count)].Clone();
        int flips = random.Next(1, 8);
        for (int f = 0; f < flips && copy.Length > 0; f++)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }
        if (random.Next(4) == 0 && corpus.Count > 1)
        {
            // Splice: the head of this seed, the tail of another.
            var other = corpus[random.Next(corpus.Count)];
            int cut = random.Next(copy.Length + 1);
            int from = random.Next(other.Length + 1);
            copy = [.. copy[..cut], .. other[from..]];
        }
        return random.Next(3) == 0 ? copy[..random.Next(copy.Length + 1)] : copy;
    }
}
