using System.Net;
using System.Text;
using Mcu.Rtc.Stun;

namespace Mcu.Rtc.Tests.Stun;

public class StunMessageWriterTests
{
    private static readonly byte[] ShortTermKey = Encoding.UTF8.GetBytes(Rfc5769Vectors.ShortTermPassword);

    [Fact]
    public void ReproducesRfc5769SampleRequest()
    {
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, Rfc5769Vectors.TransactionId)
        {
            PaddingByte = 0x20,
        };
        writer.WriteSoftware("STUN test client"u8);
        writer.WritePriority(0x6e0001ff);
        writer.WriteIceControlled(0x932ff9b151263b36);
        writer.WriteUsername("evtj:h6vY"u8);
        writer.WriteMessageIntegrity(ShortTermKey);
        writer.WriteFingerprint();

        Assert.Equal(Rfc5769Vectors.Request, writer.Written.ToArray());
        Assert.Equal(Rfc5769Vectors.Request.Length, writer.Length);
    }

    [Fact]
    public void ReproducesRfc5769SampleRequestWithKeptKey()
    {
        using var key = new StunIntegrityKey(ShortTermKey);
        for (int round = 0; round < 2; round++)
        {
            var buffer = new byte[256];
            var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, Rfc5769Vectors.TransactionId)
            {
                PaddingByte = 0x20,
            };
            writer.WriteSoftware("STUN test client"u8);
            writer.WritePriority(0x6e0001ff);
            writer.WriteIceControlled(0x932ff9b151263b36);
            writer.WriteUsername("evtj:h6vY"u8);
            writer.WriteMessageIntegrity(key);
            writer.WriteFingerprint();

            Assert.Equal(Rfc5769Vectors.Request, writer.Written.ToArray());
        }
    }

    [Fact]
    public void ReproducesRfc5769IPv4Response()
    {
        byte[] written = WriteResponse(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853));
        Assert.Equal(Rfc5769Vectors.IPv4Response, written);
    }

    [Fact]
    public void ReproducesRfc5769IPv6Response()
    {
        byte[] written = WriteResponse(new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853));
        Assert.Equal(Rfc5769Vectors.IPv6Response, written);
    }

    [Fact]
    public void ReproducesRfc5769LongTermRequest()
    {
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, Rfc5769Vectors.LongTermRequest.AsSpan(8, 12));
        writer.WriteUsername(Encoding.UTF8.GetBytes("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9"));
        writer.WriteAttribute(StunAttributeType.Nonce, "f//499k954d6OL34oL9FSTvy64sA"u8);
        writer.WriteAttribute(StunAttributeType.Realm, "example.org"u8);
        writer.WriteMessageIntegrity(StunMessageTests.Rfc5769LongTermKey("TheMatrIX"));

        Assert.Equal(Rfc5769Vectors.LongTermRequest, writer.Written.ToArray());
    }

    [Theory]
    [InlineData(StunClass.Request, 0x0001)]
    [InlineData(StunClass.Indication, 0x0011)]
    [InlineData(StunClass.SuccessResponse, 0x0101)]
    [InlineData(StunClass.ErrorResponse, 0x0111)]
    public void MessageTypeInterleavesClassBits(StunClass cls, int expectedType)
    {
        var buffer = new byte[20];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, cls, Rfc5769Vectors.TransactionId);

        Assert.Equal(expectedType, (buffer[0] << 8) | buffer[1]);
        Assert.True(StunMessage.TryParse(writer.Written, out StunMessage message));
        Assert.Equal(StunMethod.Binding, message.Method);
        Assert.Equal(cls, message.Class);
    }

    [Theory]
    [InlineData(400, "Bad Request")]
    [InlineData(401, "Unauthorized")]
    [InlineData(487, "Role Conflict")]
    [InlineData(699, "")]
    [InlineData(300, "Try Alternate \u00e9")]
    public void ErrorCodeRoundTrips(int code, string reason)
    {
        var buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.ErrorResponse, Rfc5769Vectors.TransactionId);
        writer.WriteErrorCode(code, reason);
        writer.WriteFingerprint();

        Assert.True(StunMessage.TryParse(writer.Written, out StunMessage message));
        Assert.True(message.TryGetErrorCode(out int parsed));
        Assert.Equal(code, parsed);
        Assert.True(message.TryGetAttribute(StunAttributeType.ErrorCode, out ReadOnlySpan<byte> value));
        Assert.Equal(reason, Encoding.UTF8.GetString(value[4..]));
        Assert.True(message.VerifyFingerprint());
    }

    [Theory]
    [InlineData("203.0.113.7", 1)]
    [InlineData("10.0.0.1", 65535)]
    [InlineData("::1", 3478)]
    [InlineData("fe80::1:2:3:4", 50000)]
    public void XorMappedAddressRoundTrips(string address, int port)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        var buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.SuccessResponse, Rfc5769Vectors.TransactionId);
        writer.WriteXorMappedAddress(endPoint);

        Assert.True(StunMessage.TryParse(writer.Written, out StunMessage message));
        Assert.True(message.TryGetXorMappedAddress(out IPEndPoint parsed));
        Assert.Equal(endPoint, parsed);
    }

    [Fact]
    public void IPv4MappedIPv6IsWrittenAsIPv4()
    {
        var endPoint = new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.1"), 32853);
        var buffer = new byte[64];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.SuccessResponse, Rfc5769Vectors.TransactionId);
        writer.WriteXorMappedAddress(endPoint);

        Assert.True(StunMessage.TryParse(writer.Written, out StunMessage message));
        Assert.True(message.TryGetXorMappedAddress(out IPEndPoint parsed));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), parsed);
    }

    [Fact]
    public void IceAttributesRoundTrip()
    {
        var buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, Rfc5769Vectors.TransactionId);
        writer.WriteUsername("abcd:efgh"u8);
        writer.WritePriority(0x6EFFFFFF);
        writer.WriteIceControlling(0x0102030405060708);
        writer.WriteUseCandidate();
        writer.WriteMessageIntegrity("secret"u8);
        writer.WriteFingerprint();

        Assert.True(StunMessage.TryParse(writer.Written, out StunMessage message));
        Assert.True(message.HasUseCandidate);
        Assert.True(message.TryGetIceControlling(out ulong tieBreaker));
        Assert.Equal(0x0102030405060708ul, tieBreaker);
        Assert.False(message.TryGetIceControlled(out _));
        Assert.True(message.TryGetPriority(out uint priority));
        Assert.Equal(0x6EFFFFFFu, priority);
        Assert.True(message.VerifyMessageIntegrity("secret"u8));
        Assert.False(message.VerifyMessageIntegrity("Secret"u8));
        Assert.True(message.VerifyFingerprint());
    }

    [Fact]
    public void RejectsAttributesAfterFingerprintAndTooSmallDestination()
    {
        var buffer = new byte[40];
        Assert.Throws<InvalidOperationException>(() =>
        {
            var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, Rfc5769Vectors.TransactionId);
            writer.WriteFingerprint();
            writer.WritePriority(1);
        });
        Assert.Throws<ArgumentException>(() =>
        {
            var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, Rfc5769Vectors.TransactionId);
            writer.WriteUsername(new byte[17]);
        });
        Assert.Throws<ArgumentException>(() => new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, new byte[11]));
    }

    private static byte[] WriteResponse(IPEndPoint mapped)
    {
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.SuccessResponse, Rfc5769Vectors.TransactionId)
        {
            PaddingByte = 0x20,
        };
        writer.WriteSoftware("test vector"u8);
        writer.WriteXorMappedAddress(mapped);
        writer.WriteMessageIntegrity(ShortTermKey);
        writer.WriteFingerprint();
        return writer.Written.ToArray();
    }
}
