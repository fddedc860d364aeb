using BenchmarkDotNet.Attributes;
using Mcu.Rtc.Packetization;

namespace Mcu.Benchmarks;

/// <summary>One 20 KB frame packetized to 1200-byte payloads and reassembled; steady state must allocate nothing.</summary>
[MemoryDiagnoser]
public class PacketizationBenchmarks
{
    private const int FrameSize = 20 * 1024;
    private const int MaxPayloadSize = 1200;

    private readonly byte[] _payload = new byte[MaxPayloadSize];
    private byte[] _vp8Frame = [];
    private byte[] _h264AccessUnit = [];
    private Vp8Packetizer _vp8Packetizer = null!;
    private FrameAssembler _vp8Assembler = null!;
    private H264Packetizer _h264Packetizer = null!;
    private FrameAssembler _h264Assembler = null!;
    private ushort _sequence;
    private uint _timestamp;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _vp8Frame = new byte[FrameSize];
        random.NextBytes(_vp8Frame);
        _vp8Frame[0] |= 0x01; // interframe: the tag needs no key frame start code

        _h264AccessUnit = new byte[FrameSize];
        for (int i = 0; i < FrameSize; i++)
        {
            _h264AccessUnit[i] = (byte)random.Next(1, 256);
        }
        byte[] headers = [0, 0, 0, 1, 0x67, 0x42, 0xC0, 0x1F, 0, 0, 0, 1, 0x68, 0xCE, 0x3C, 0x80, 0, 0, 0, 1, 0x65, 0x88];
        headers.CopyTo(_h264AccessUnit, 0);

        _vp8Packetizer = new Vp8Packetizer(MaxPayloadSize);
        _vp8Assembler = Vp8Depacketizer.CreateAssembler();
        _h264Packetizer = new H264Packetizer(MaxPayloadSize);
        _h264Assembler = H264Depacketizer.CreateAssembler();
    }

    [Benchmark]
    public int Vp8PacketizeAndDepacketize20KB() => RoundTrip(_vp8Packetizer, _vp8Assembler, _vp8Frame);

    [Benchmark]
    public int H264PacketizeAndDepacketize20KB() => RoundTrip(_h264Packetizer, _h264Assembler, _h264AccessUnit);

    private int RoundTrip(IRtpPacketizer packetizer, FrameAssembler assembler, byte[] frame)
    {
        _timestamp += 3000;
        packetizer.Begin(frame);
        int received = 0;
        while (packetizer.TryNext(_payload, out int length, out bool marker))
        {
            if (assembler.Push(_payload.AsSpan(0, length), _sequence++, _timestamp, marker) == DepacketizeResult.FrameReady)
            {
                while (assembler.TryTakeFrame(out var output))
                {
                    received += output.Data.Length;
                }
            }
        }
        if (received != frame.Length)
        {
            throw new InvalidOperationException("Frame did not round-trip.");
        }
        return received;
    }
}
