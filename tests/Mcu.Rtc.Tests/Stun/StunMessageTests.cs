using System.Net;
using System.Security.Cryptography;
using System.Text;
using Mcu.Rtc.Stun;

namespace Mcu.Rtc.Tests.Stun;

public class StunMessageTests
{
    private static readonly byte[] ShortTermKey = Encoding.UTF8.GetBytes(Rfc5769Vectors.ShortTermPassword);

    [Fact]
    public void Rfc5769SampleRequestParsesAndVerifies()
    {
        Assert.True(StunMessage.IsStun(Rfc5769Vectors.Request));
        Assert.True(StunMessage.TryParse(Rfc5769Vectors.Request, out StunMessage message));

        Assert.Equal(StunMethod.Binding, message.Method);
        Assert.Equal(StunClass.Request, message.Class);
        Assert.Equal(Rfc5769Vectors.TransactionId, message.TransactionId.ToArray());
        Assert.True(message.TryGetAttribute(StunAttributeType.Software, out ReadOnlySpan<byte> software));
        Assert.Equal("STUN test client", Encoding.UTF8.GetString(software));
        Assert.True(message.TryGetUsername(out ReadOnlySpan<byte> username));
        Assert.Equal("evtj:h6vY", Encoding.UTF8.GetString(username));
        Assert.True(message.TryGetPriority(out uint priority));
        Assert.Equal(0x6e0001ffu, priority);
        Assert.True(message.TryGetIceControlled(out ulong tieBreaker));
        Assert.Equal(0x932ff9b151263b36ul, tieBreaker);
        Assert.False(message.TryGetIceControlling(out _));
        Assert.False(message.HasUseCandidate);
        Assert.False(message.TryGetXorMappedAddress(out _));
        Assert.False(message.TryGetErrorCode(out _));

        Assert.True(message.VerifyMessageIntegrity(ShortTermKey));
        Assert.False(message.VerifyMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBT"u8));
        Assert.True(message.VerifyFingerprint());
    }

    [Fact]
    public void Rfc5769IPv4ResponseDecodesMappedAddress()
    {
        Assert.True(StunMessage.TryParse(Rfc5769Vectors.IPv4Response, out StunMessage message));

        Assert.Equal(StunMethod.Binding, message.Method);
        Assert.Equal(StunClass.SuccessResponse, message.Class);
        Assert.True(message.TryGetAttribute(StunAttributeType.Software, out ReadOnlySpan<byte> software));
        Assert.Equal("test vector", Encoding.UTF8.GetString(software));
        Assert.True(message.TryGetXorMappedAddress(out IPEndPoint mapped));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), mapped);
        Assert.True(message.VerifyMessageIntegrity(ShortTermKey));
        Assert.True(message.VerifyFingerprint());
    }

    [Fact]
    public void Rfc5769IPv6ResponseDecodesMappedAddress()
    {
        Assert.True(StunMessage.TryParse(Rfc5769Vectors.IPv6Response, out StunMessage message));

        Assert.Equal(StunClass.SuccessResponse, message.Class);
        Assert.True(message.TryGetXorMappedAddress(out IPEndPoint mapped));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853), mapped);
        Assert.True(message.VerifyMessageIntegrity(ShortTermKey));
        Assert.True(message.VerifyFingerprint());
    }

    [Fact]
    public void Rfc5769LongTermRequestVerifiesWithMd5Key()
    {
        Assert.True(StunMessage.TryParse(Rfc5769Vectors.LongTermRequest, out StunMessage message));

        Assert.True(message.TryGetUsername(out ReadOnlySpan<byte> username));
        Assert.Equal("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9", Encoding.UTF8.GetString(username));
        Assert.True(message.TryGetAttribute(StunAttributeType.Nonce, out ReadOnlySpan<byte> nonce));
        Assert.Equal("f//499k954d6OL34oL9FSTvy64sA", Encoding.UTF8.GetString(nonce));
        Assert.True(message.TryGetAttribute(StunAttributeType.Realm, out ReadOnlySpan<byte> realm));
        Assert.Equal("example.org", Encoding.UTF8.GetString(realm));
        Assert.False(message.HasFingerprint);
        Assert.False(message.VerifyFingerprint());

        Assert.True(message.VerifyMessageIntegrity(Rfc5769LongTermKey("TheMatrIX")));
        Assert.False(message.VerifyMessageIntegrity(Rfc5769LongTermKey("thematrix")));
    }

    [Fact]
    public void KeptKeyVerifiesLikeTheOneShot()
    {
        using var key = new StunIntegrityKey(ShortTermKey);
        using var wrong = new StunIntegrityKey("VOkJxbRl1RmTxUk/WvJxBT"u8);
        foreach (byte[] vector in new[] { Rfc5769Vectors.Request, Rfc5769Vectors.IPv4Response, Rfc5769Vectors.IPv6Response })
        {
            Assert.True(StunMessage.TryParse(vector, out StunMessage message));
            Assert.True(message.VerifyMessageIntegrity(key));
            Assert.True(message.VerifyMessageIntegrity(key), "the key is reusable");
            Assert.False(message.VerifyMessageIntegrity(wrong));
        }
        using var longTerm = new StunIntegrityKey(Rfc5769LongTermKey("TheMatrIX"));
        Assert.True(StunMessage.TryParse(Rfc5769Vectors.LongTermRequest, out StunMessage request));
        Assert.True(request.VerifyMessageIntegrity(longTerm));
    }

    [Fact]
    public void AttributesAfterMessageIntegrityAreIgnored()
    {
        // Append an unauthenticated SOFTWARE after MESSAGE-INTEGRITY of §2.4 (which has no FINGERPRINT).
        byte[] tampered = [.. Rfc5769Vectors.LongTermRequest, 0x80, 0x22, 0x00, 0x03, (byte)'e', (byte)'v', (byte)'l', 0];
        tampered[3] += 8;

        Assert.True(StunMessage.TryParse(tampered, out StunMessage message));
        Assert.False(message.TryGetAttribute(StunAttributeType.Software, out _));
        Assert.True(message.VerifyMessageIntegrity(Rfc5769LongTermKey("TheMatrIX")));
    }

    [Fact]
    public void FirstOccurrenceOfAnAttributeWins()
    {
        Span<byte> buffer = stackalloc byte[64];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, Rfc5769Vectors.TransactionId);
        writer.WritePriority(1);
        writer.WritePriority(2);

        Assert.True(StunMessage.TryParse(writer.Written, out StunMessage message));
        Assert.True(message.TryGetPriority(out uint priority));
        Assert.Equal(1u, priority);
    }

    [Fact]
    public void ParseAndVerifyDoNotAllocate()
    {
        byte[] request = Rfc5769Vectors.Request;
        ParseAndVerify(request);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Assert.True(ParseAndVerify(request));
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void VerifyWithKeptKeyDoesNotAllocate()
    {
        using var key = new StunIntegrityKey(ShortTermKey);
        byte[] request = Rfc5769Vectors.Request;
        Assert.True(StunMessage.TryParse(request, out StunMessage warm) && warm.VerifyMessageIntegrity(key));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Assert.True(StunMessage.TryParse(request, out StunMessage message) && message.VerifyMessageIntegrity(key));
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static bool ParseAndVerify(byte[] datagram) =>
        StunMessage.TryParse(datagram, out StunMessage message)
        && message.TryGetUsername(out _)
        && message.TryGetPriority(out _)
        && message.VerifyMessageIntegrity(ShortTermKey)
        && message.VerifyFingerprint();

    internal static byte[] Rfc5769LongTermKey(string preparedPassword) =>
        MD5.HashData(Encoding.UTF8.GetBytes("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9:example.org:" + preparedPassword));
}
