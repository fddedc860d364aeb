using BenchmarkDotNet.Attributes;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;

namespace Mcu.Benchmarks;

/// <summary>
/// Cost per 640x360 frame of the native codecs (single-threaded, as configured for the MCU).
/// The picture is colour bars with a moving square and a strip of noise, so that
/// every frame has real work in it.
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private const int Width = 640;
    private const int Height = 360;
    private const int Frames = 30;
    private const long FrameMicros = 33_333;

    private readonly VideoFrame[] _pictures = new VideoFrame[Frames];
    private readonly byte[][] _vp8Packets = new byte[Frames][];
    private readonly byte[][] _h264Packets = new byte[Frames][];
    private VideoEncoder _vp8Encoder = null!;
    private VideoEncoder _h264Encoder = null!;
    private VideoDecoder _vp8Decoder = null!;
    private VideoDecoder _h264Decoder = null!;
    private EncodedPacketHandler _countBytes = null!;
    private long _bytes;
    private int _next;
    private long _timestamp;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < Frames; i++)
        {
            _pictures[i] = Draw(i, random);
        }
        _countBytes = (data, _, _) => _bytes += data.Length;
        _vp8Encoder = new VideoEncoder(VideoCodec.Vp8, Width, Height, 30, 1000);
        _h264Encoder = new VideoEncoder(VideoCodec.H264, Width, Height, 30, 1000);
        _vp8Decoder = new VideoDecoder(VideoCodec.Vp8);
        _h264Decoder = new VideoDecoder(VideoCodec.H264);
        Capture(VideoCodec.Vp8, _vp8Packets);
        Capture(VideoCodec.H264, _h264Packets);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _vp8Encoder.Dispose();
        _h264Encoder.Dispose();
        _vp8Decoder.Dispose();
        _h264Decoder.Dispose();
    }

    [Benchmark]
    public void Vp8Decode() => Decode(_vp8Decoder, _vp8Packets);

    [Benchmark]
    public void H264Decode() => Decode(_h264Decoder, _h264Packets);

    [Benchmark]
    public long Vp8Encode() => Encode(_vp8Encoder);

    [Benchmark]
    public long H264Encode() => Encode(_h264Encoder);

    // The sequence restarts at its keyframe, so cycling through it decodes cleanly.
    private void Decode(VideoDecoder decoder, byte[][] packets)
    {
        int index = _next++ % Frames;
        var frame = decoder.Decode(packets[index], index * FrameMicros, out string? error)
            ?? throw new InvalidOperationException(error ?? "no frame");
        frame.Release();
    }

    private long Encode(VideoEncoder encoder)
    {
        var picture = _pictures[_next++ % Frames];
        _timestamp += FrameMicros;
        picture.TimestampMicros = _timestamp;
        encoder.Encode(picture, false, _countBytes);
        return _bytes;
    }

    private void Capture(VideoCodec codec, byte[][] packets)
    {
        using var encoder = new VideoEncoder(codec, Width, Height, 30, 1000);
        int index = 0;
        for (int i = 0; i < Frames; i++)
        {
            _pictures[i].TimestampMicros = i * FrameMicros;
            encoder.Encode(_pictures[i], false, (data, _, _) => packets[index++] = data.ToArray());
        }
    }

    private static VideoFrame Draw(int index, Random random)
    {
        var frame = VideoFrame.Create(Width, Height);
        int barWidth = Width / 8;
        byte[] lumas = [235, 210, 170, 145, 106, 81, 41, 16];
        for (int row = 0; row < Height; row++)
        {
            for (int col = 0; col < Width; col++)
            {
                frame.Y[row * Width + col] = lumas[col / barWidth];
            }
        }
        frame.U.Fill(128);
        frame.V.Fill(128);
        int x0 = 16 + index * 8;
        for (int row = 180; row < 228; row++)
        {
            frame.Y.Slice(row * Width + x0, 48).Fill(128);
        }
        var strip = frame.Y[..(Width * 16)];
        for (int i = 0; i < strip.Length; i++)
        {
            strip[i] = (byte)random.Next(110, 146);
        }
        return frame;
    }
}
