namespace Mcu.Fuzz;

/// <summary>
/// Every target over random inputs and bit-flipped, truncated and spliced copies of each
/// other, without a fuzzer: what the test suite runs so a target that throws is found in CI.
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
        return random.Next(3) == 0 ? copy[..random.Next(copy.Length + 1)] : copy;
    }

    private static List<byte[]> Seeds(string target) => target switch
    {
        "stun" or "ice-lite" => [Convert.FromHexString("000100582112a442b7e7a701bc34d686fa87dfae802200105354554e20746573742076656374207400240004" + "6e0001ff80290008932ff9b151263b36000600096576746a3a6839765900000000080014" + "9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf")],
        "rtp" or "srtp" => [Convert.FromHexString("900f1234decafbadcafebabebede000151000200abababababababababab")],
        "rtcp" => [Convert.FromHexString("80c80006cafebabe0000000100000002000000030000000400000005" + "81ca0003cafebabe0105616c69636500" + "81cd0003cafebabedecafbad00050003")],
        "sdp" => [System.Text.Encoding.UTF8.GetBytes("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\na=fingerprint:sha-256 00:11\r\na=setup:actpass\r\na=rtcp-mux\r\na=sendrecv\r\n")],
        "layout" => [System.Text.Encoding.UTF8.GetBytes("""{"name":"x","regions":[{"x":0,"y":0,"width":0.5,"height":1,"grid":{"maxRows":2,"maxColumns":2}}]}""")],
        "vp8" => [Convert.FromHexString("00100001" + "90" + "9d012a8002e001" + "00000000" + "00110000" + "00" + "0000")],
        _ => [],
    };
}
