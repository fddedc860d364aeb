using System.Buffers.Binary;
using Mcu.Rtc.Dtls;

namespace Mcu.Rtc.Tests.Dtls;

public class DtlsMalformedInputTests
{
    private const byte Handshake = 22;
    private const byte ClientHelloType = 1;

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

    public static TheoryData<string, byte[]> RecordsNoPeerSends() => new()
    {
        { "empty", [] },
        { "one byte", [Handshake] },
        { "not a DTLS content type (RTP)", [0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1] },
        { "truncated header", [Handshake, 0xFE, 0xFD, 0, 0] },
        { "length beyond datagram", Record(Handshake, 0, [ClientHelloType, 0, 0], lengthField: 500) },
        { "length shorter than datagram, rest garbage", Record(Handshake, 0, [1, 2, 3, 4, 5, 6, 7, 8], lengthField: 1) },
        { "unknown content type", Record(63, 0, [1, 2, 3, 4]) },
        { "not DTLS version", [Handshake, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0] },
        { "application data in epoch 0", Record(23, 0, new byte[40]) },
        { "truncated handshake header", Record(Handshake, 0, [ClientHelloType, 0, 0]) },
        { "fragment beyond its message", Record(Handshake, 0, [ClientHelloType, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5]) },
        { "fragment beyond its record", Record(Handshake, 0, [ClientHelloType, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 9, 1, 2, 3]) },
        { "hello request", Record(Handshake, 0, new byte[12]) },
        { "oversized datagram of hello requests", Record(Handshake, 0, new byte[3000]) },
    };

    [Theory]
    [MemberData(nameof(RecordsNoPeerSends))]
    public void ImplausibleRecord_IsDropped_BeforeOpenSsl(string name, byte[] garbage)
    {
        Assert.False(DtlsRecord.IsPlausible(garbage), name);
        using var pair = new DtlsPair();
        pair.Start();

        Assert.False(pair.Server.HandleInput(garbage, 0), name);
    }

    public static TheoryData<string, byte[]> RecordsOpenSslDrops() => new()
    {
        { "future epoch", Record(Handshake, 7, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) },
        { "epoch 1 handshake that does not decrypt", Record(Handshake, 1, new byte[40]) },
        { "epoch 1 application data that does not decrypt", Record(23, 1, new byte[40]) },
    };

    [Theory]
    [MemberData(nameof(RecordsNoPeerSends))]
    [MemberData(nameof(RecordsOpenSslDrops))]
    public void BrokenRecordBeforeClientHello_LeavesTheServerAbleToCompleteTheHandshake(string name, byte[] garbage)
    {
        using var pair = new DtlsPair();
        pair.Start();
        pair.Server.HandleInput(garbage, 0);

        Assert.True(pair.RunUntilBothSettled(), name);

        Assert.Equal(DtlsState.Connected, pair.Server.State);
        Assert.Equal(DtlsState.Connected, pair.Client.State);
    }

    [Fact]
    public void GarbageClientHello_FailsTheServerCleanly_WithAnAlertForThePeer()
    {
        // A well-formed record and handshake header whose ClientHello body is junk.
        byte[] body = new byte[40];
        new Random(7).NextBytes(body);
        byte[] message = new byte[12 + body.Length];
        message[0] = ClientHelloType;
        message[3] = (byte)body.Length;      // length (24 bit)
        message[11] = (byte)body.Length;     // fragment length (24 bit), fragment offset 0
        body.CopyTo(message, 12);
        using var victim = new DtlsPair();
        victim.Server.Start(0);

        Assert.True(victim.Server.HandleInput(Record(Handshake, 0, message), 0));

        Assert.Equal(DtlsState.Failed, victim.Server.State);
        Assert.StartsWith("sent fatal alert", victim.Server.FailureReason);
        Assert.True(victim.Server.TryPollEvent(out var failed));
        Assert.IsType<DtlsEvent.Failed>(failed);
        var alert = new byte[2048];
        Assert.True(victim.Server.TryPollOutput(alert, out int length));
        Assert.Equal(21, alert[0]);
        Assert.Equal(DtlsRecord.HeaderLength + 2, length);
        Assert.Equal(2, alert[13]); // fatal
    }

    [Fact]
    public void RandomDatagrams_NeverThrowOrConnect()
    {
        var random = new Random(1234);
        using var victim = new DtlsPair();
        victim.Server.Start(0);
        for (int i = 0; i < 2000; i++)
        {
            byte[] datagram = new byte[random.Next(1, 200)];
            random.NextBytes(datagram);
            datagram[0] = (byte)random.Next(20, 64);
            if (i % 2 == 0 && datagram.Length >= 13)
            {
                // Half look like DTLS 1.2 epoch-0 records, to get past the first checks.
                datagram[0] = (byte)random.Next(20, 24);
                datagram[1] = 0xFE;
                datagram[2] = 0xFD;
                datagram[3] = 0;
                datagram[4] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(11), (ushort)(datagram.Length - 13));
            }

            victim.Server.HandleInput(datagram, i);
        }

        Assert.Contains(victim.Server.State, new[] { DtlsState.Handshaking, DtlsState.Failed });
        Assert.Empty(victim.ServerEvents.OfType<DtlsEvent.Connected>());
    }
}
