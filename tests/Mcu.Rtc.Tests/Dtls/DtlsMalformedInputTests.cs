using System.Buffers.Binary;
using Mcu.Rtc.Dtls;

namespace Mcu.Rtc.Tests.Dtls;

public class DtlsMalformedInputTests
{
    private const byte Handshake = 22;
    private const byte ClientHelloType = 1;

    /// <summary>Gives up on a broken handshake quickly so a failing server cannot stall the test.</summary>
    private static readonly DtlsSessionOptions ShortTimeout = new() { HandshakeTimeoutMillis = 3_000, HandshakeResendMillis = 100 };

    /// <summary>Builds a DTLS 1.2 record header (RFC 6347 §4.1) in front of <paramref name="fragment"/>.</summary>
    private static byte[] Record(byte contentType, ushort epoch, ReadOnlySpan<byte> fragment, int? lengthField = null)
    {
        var record = new byte[13 + fragment.Length];
        record[0] = contentType;
        record[1] = 0xFE;
        record[2] = 0xFD;
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(3), epoch);
        record[10] = 1; // sequence number 1
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(11), (ushort)(lengthField ?? fragment.Length));
        fragment.CopyTo(record.AsSpan(13));
        return record;
    }

    public static TheoryData<string, byte[]> StructurallyBrokenRecords() => new()
    {
        { "one byte", [Handshake] },
        { "not a DTLS content type (RTP)", [0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1] },
        { "truncated header", [Handshake, 0xFE, 0xFD, 0, 0] },
        { "length beyond datagram", Record(Handshake, 0, [ClientHelloType, 0, 0], lengthField: 500) },
        { "length shorter than datagram, rest garbage", Record(Handshake, 0, [1, 2, 3, 4, 5, 6, 7, 8], lengthField: 1) },
        { "unknown content type", Record(63, 0, [1, 2, 3, 4]) },
        { "future epoch", Record(Handshake, 7, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) },
        { "not DTLS version", [Handshake, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0] },
        { "truncated handshake header", Record(Handshake, 0, [ClientHelloType, 0, 0]) },
        { "oversized datagram", Record(Handshake, 0, new byte[3000]) },
    };

    [Theory]
    [MemberData(nameof(StructurallyBrokenRecords))]
    public void BrokenRecordBeforeClientHello_IsDropped_AndServerStillCompletesHandshake(string name, byte[] garbage)
    {
        using var pair = new DtlsPair(serverOptions: ShortTimeout, clientOptions: ShortTimeout);
        pair.Server.HandleInput(garbage);
        pair.Start();

        Assert.True(pair.PumpUntilBothSettled(), name);

        Assert.Equal(DtlsState.Connected, pair.Server.State);
        Assert.Equal(DtlsState.Connected, pair.Client.State);
    }

    [Fact]
    public void GarbageClientHello_FailsServerCleanly_WhileAnotherPairCompletes()
    {
        // A well-formed record and handshake header whose ClientHello body is junk.
        byte[] body = new byte[40];
        new Random(7).NextBytes(body);
        byte[] message = new byte[12 + body.Length];
        message[0] = ClientHelloType;
        message[3] = (byte)body.Length;      // length (24 bit)
        message[11] = (byte)body.Length;     // fragment length (24 bit), fragment offset 0
        body.CopyTo(message, 12);

        using var victim = new DtlsPair(serverOptions: ShortTimeout, clientOptions: ShortTimeout);
        using var bystander = new DtlsPair();
        var settled = new ManualResetEventSlim();
        victim.Server.StateChanged += state => { if (DtlsPair.IsSettled(state)) settled.Set(); };
        victim.Server.Start();
        bystander.Start();
        victim.Server.HandleInput(Record(Handshake, 0, message));

        Assert.True(bystander.PumpUntilBothSettled());
        Assert.True(settled.Wait(TimeSpan.FromSeconds(10)));

        Assert.Equal(DtlsState.Connected, bystander.Server.State);
        Assert.Equal(DtlsState.Connected, bystander.Client.State);
        Assert.Equal(DtlsState.Failed, victim.Server.State);
        Assert.Equal("DTLS failed: decode_error", victim.Server.FailureReason);
    }

    [Fact]
    public void RandomDatagrams_NeverCrashOrConnect_WhileAnotherPairCompletes()
    {
        var random = new Random(1234);
        using var victim = new DtlsPair(serverOptions: ShortTimeout);
        using var bystander = new DtlsPair();
        victim.Server.Start();
        bystander.Start();
        for (int i = 0; i < 500; i++)
        {
            byte[] datagram = new byte[random.Next(1, 200)];
            random.NextBytes(datagram);
            datagram[0] = (byte)random.Next(20, 64);
            if (i % 2 == 0 && datagram.Length >= 13)
            {
                // Half look like DTLS 1.2 epoch-0 records, to get past the first checks.
                datagram[1] = 0xFE;
                datagram[2] = 0xFD;
                datagram[3] = 0;
                datagram[4] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(11), (ushort)(datagram.Length - 13));
            }

            victim.Server.HandleInput(datagram);
        }

        Assert.True(bystander.PumpUntilBothSettled());

        Assert.Equal(DtlsState.Connected, bystander.Server.State);
        Assert.Equal(DtlsState.Connected, bystander.Client.State);
        Assert.Contains(victim.Server.State, new[] { DtlsState.Handshaking, DtlsState.Failed });
    }
}
