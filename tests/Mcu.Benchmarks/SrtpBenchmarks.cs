using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Mcu.Rtc.Srtp;

namespace Mcu.Benchmarks;

/// <summary>SRTP protect then unprotect of one 1200-byte RTP packet (12-byte header + 1188 payload).</summary>
[MemoryDiagnoser]
public class SrtpBenchmarks
{
    private const int PacketLength = 1200;

    private readonly byte[] _buffer = new byte[PacketLength + SrtpContext.MaxOverhead];
    private SrtpContext _sender = null!;
    private SrtpContext _receiver = null!;
    private ushort _sequence;

    [Params(SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm)]
    public SrtpProfile Profile { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] material = new byte[SrtpKeys.KeyingMaterialLength(Profile)];
        new Random(1).NextBytes(material);
        (_sender, _) = SrtpKeys.CreateContexts(Profile, material, isDtlsServer: true);
        (_, _receiver) = SrtpKeys.CreateContexts(Profile, material, isDtlsServer: false);
        new Random(2).NextBytes(_buffer);
        _buffer[0] = 0x80;
        _buffer[1] = 96;
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(8), 0x12345678);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
    }

    [Benchmark]
    public int ProtectAndUnprotectRtp()
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _sequence++);
        _sender.TryProtectRtp(_buffer, PacketLength, out int protectedLength);
        _receiver.TryUnprotectRtp(_buffer.AsSpan(0, protectedLength), out int plainLength);
        return plainLength;
    }
}
