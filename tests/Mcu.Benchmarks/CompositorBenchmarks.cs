using BenchmarkDotNet.Attributes;
using Mcu.Media.Compositing;
using Mcu.Media.Frames;

namespace Mcu.Benchmarks;

/// <summary>One output frame from N 640x360 sources in a square-ish grid; one source per grid has no video (placeholder).</summary>
[MemoryDiagnoser]
public class CompositorBenchmarks
{
    private Compositor _compositor = null!;
    private LayoutRegion[] _regions = null!;
    private CompositorSource[] _sources = null!;
    private VideoFrame _output = null!;

    [Params(4, 9, 16, 25)]
    public int Sources { get; set; }

    [Params("640x360", "1280x720")]
    public string Output { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        int width = int.Parse(Output.Split('x')[0]), height = int.Parse(Output.Split('x')[1]);
        _compositor = new Compositor(width, height);
        _output = VideoFrame.Create(width, height);
        int side = (int)Math.Ceiling(Math.Sqrt(Sources));
        _regions = new LayoutRegion[Sources];
        _sources = new CompositorSource[Sources];
        var random = new Random(1);
        for (int i = 0; i < Sources; i++)
        {
            _regions[i] = new LayoutRegion((double)(i % side) / side, (double)(i / side) / side, 1.0 / side, 1.0 / side);
            var frame = VideoFrame.Create(640, 360);
            random.NextBytes(frame.Buffer);
            _sources[i] = new CompositorSource { DisplayName = $"Participant {i}", Frame = i == 1 ? null : frame, IsActiveSpeaker = i == 0 };
        }

        _compositor.Compose(_regions, _sources, _output);
    }

    [GlobalCleanup]
    public void Cleanup() => _compositor.Dispose();

    [Benchmark]
    public void Compose() => _compositor.Compose(_regions, _sources, _output);
}
