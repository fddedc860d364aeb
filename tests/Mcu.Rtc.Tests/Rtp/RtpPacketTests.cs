using Mcu.Rtc.Rtp;

namespace Mcu.Rtc.Tests.Rtp;

public class RtpPacketTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    [Fact]
    public void ParsesFixedHeaderFields()
    {
        byte[] bytes = Hex("80e0 1234 00010203 deadbeef cafe");
        Assert.True(RtpPacket.TryParse(bytes, out RtpPacket packet));
        Assert.Equal(2, packet.Version);
        Assert.False(packet.HasPadding);
        Assert.False(packet.HasExtension);
        Assert.Equal(0, packet.CsrcCount);
        Assert.True(packet.Marker);
        Assert.Equal(96, packet.PayloadType);
        Assert.Equal(0x1234, packet.SequenceNumber);
        Assert.Equal(0x00010203u, packet.Timestamp);
        Assert.Equal(0xdeadbeefu, packet.Ssrc);
        Assert.Equal(12, packet.HeaderLength);
        Assert.Equal(Hex("cafe"), packet.Payload.ToArray());
    }

    [Fact]
    public void SkipsCsrcsAndRemovesPadding()
    {
        // CC=2, P=1, payload "abcd" then 3 bytes of padding (last byte counts itself).
        byte[] bytes = Hex("a2 60 0001 00000000 00000001 00000002 00000003 61626364 000003");
        Assert.True(RtpPacket.TryParse(bytes, out RtpPacket packet));
        Assert.True(packet.HasPadding);
        Assert.Equal(2, packet.CsrcCount);
        Assert.Equal(3u, packet.GetCsrc(1));
        Assert.Equal(20, packet.HeaderLength);
        Assert.Equal("abcd"u8.ToArray(), packet.Payload.ToArray());
        Assert.Equal(3, packet.PaddingLength);
    }

    [Fact]
    public void FindsOneByteExtensions()
    {
        // 0xBEDE, 2 words: id 1 len 1 (0xAA), padding byte, id 3 len 3 (010203), id 0 padding.
        byte[] bytes = Hex("90 60 0001 00000000 00000001 bede 0002 10aa 00 32010203 00 ff");
        Assert.True(RtpPacket.TryParse(bytes, out RtpPacket packet));
        Assert.Equal(RtpPacket.OneByteExtensionProfile, packet.ExtensionProfile);
        Assert.Equal(24, packet.HeaderLength);
        Assert.True(packet.TryGetExtension(1, out ReadOnlySpan<byte> one));
        Assert.Equal(Hex("aa"), one.ToArray());
        Assert.True(packet.TryGetExtension(3, out ReadOnlySpan<byte> three));
        Assert.Equal(Hex("010203"), three.ToArray());
        Assert.False(packet.TryGetExtension(2, out _));
        Assert.Equal(Hex("ff"), packet.Payload.ToArray());
    }

    [Fact]
    public void FindsTwoByteExtensionsIncludingEmptyOnes()
    {
        // 0x1000, 2 words: id 20 len 0, id 200 len 3 (aabbcc), padding.
        byte[] bytes = Hex("90 60 0001 00000000 00000001 1000 0002 1400 c803aabbcc 000000");
        Assert.True(RtpPacket.TryParse(bytes, out RtpPacket packet));
        Assert.True(packet.TryGetExtension(20, out ReadOnlySpan<byte> empty));
        Assert.True(empty.IsEmpty);
        Assert.True(packet.TryGetExtension(200, out ReadOnlySpan<byte> value));
        Assert.Equal(Hex("aabbcc"), value.ToArray());
        Assert.False(packet.TryGetExtension(5, out _));
    }

    [Theory]
    [InlineData("80")] // shorter than the fixed header
    [InlineData("40600001000000000000000100")] // version 1
    [InlineData("8160000100000000000000010000")] // CC=1 but no CSRC
    [InlineData("906000010000000000000001bede")] // X without extension header
    [InlineData("906000010000000000000001bede000110")] // extension length past the end
    [InlineData("a0600001000000000000000161626305")] // padding count larger than payload
    [InlineData("a0600001000000000000000161626300")] // padding count 0
    public void MalformedPacketsAreRejected(string hex) => Assert.False(RtpPacket.TryParse(Hex(hex), out _));

    [Fact]
    public void TruncatedExtensionElementIsNotReturned()
    {
        // One-byte element claims 4 bytes but the block holds 3.
        byte[] bytes = Hex("90 60 0001 00000000 00000001 bede 0001 13aabbcc");
        Assert.True(RtpPacket.TryParse(bytes, out RtpPacket packet));
        Assert.False(packet.TryGetExtension(1, out _));
    }

    [Fact]
    public void HeaderWithExtensionsRoundTripsThroughParse()
    {
        var header = new RtpHeader { Marker = true, PayloadType = 111, SequenceNumber = 65535, Timestamp = 0xFFFFFFF0, Ssrc = 0x01020304 };
        Assert.True(header.TryAddExtension(1, [0x80 | 42]));     // audio level
        Assert.True(header.TryAddExtension(3, [0x12, 0x34]));   // transport-wide seq
        Assert.False(header.TryAddExtension(15, [1]));          // reserved id
        Assert.False(header.TryAddExtension(2, new byte[17]));  // too long for one-byte form
        Assert.Equal(12 + 4 + 8, header.SerializedLength);

        byte[] buffer = new byte[header.SerializedLength + 3];
        int written = header.WriteTo(buffer);
        Assert.Equal(header.SerializedLength, written);
        "xyz"u8.CopyTo(buffer.AsSpan(written));

        Assert.True(RtpPacket.TryParse(buffer, out RtpPacket packet));
        Assert.True(packet.Marker);
        Assert.Equal(111, packet.PayloadType);
        Assert.Equal(65535, packet.SequenceNumber);
        Assert.Equal(0xFFFFFFF0u, packet.Timestamp);
        Assert.Equal(0x01020304u, packet.Ssrc);
        Assert.True(packet.TryGetExtension(1, out ReadOnlySpan<byte> level));
        Assert.Equal(new byte[] { 0x80 | 42 }, level.ToArray());
        Assert.True(packet.TryGetExtension(3, out ReadOnlySpan<byte> seq));
        Assert.Equal(new byte[] { 0x12, 0x34 }, seq.ToArray());
        Assert.Equal("xyz"u8.ToArray(), packet.Payload.ToArray());
        Assert.Equal(0, header.WriteTo(new byte[10]));
    }

    [Fact]
    public void HeaderWithoutExtensionsIsTwelveBytes()
    {
        var header = new RtpHeader { PayloadType = 96, SequenceNumber = 1, Timestamp = 2, Ssrc = 3 };
        byte[] buffer = new byte[12];
        Assert.Equal(12, header.WriteTo(buffer));
        Assert.Equal(Hex("80600001 00000002 00000003"), buffer);
    }

    [Fact]
    public void RewritersChangeOnlyTheirField()
    {
        byte[] bytes = Hex("80e0 1234 00010203 deadbeef cafe");
        RtpPacket.WriteSsrc(bytes, 0x0a0b0c0d);
        RtpPacket.WriteSequenceNumber(bytes, 0xfffe);
        RtpPacket.WriteTimestamp(bytes, 7);
        RtpPacket.WritePayloadType(bytes, 100);
        Assert.Equal(Hex("80e4 fffe 00000007 0a0b0c0d cafe"), bytes);
        Assert.True(RtpPacket.TryParse(bytes, out RtpPacket packet));
        Assert.True(packet.Marker);
        Assert.Equal(100, packet.PayloadType);
    }

    [Theory]
    [InlineData("80c8", true)]   // SR
    [InlineData("80cd", true)]   // RTPFB
    [InlineData("80df", true)]   // 223
    [InlineData("80e0", false)]  // PT 96 with marker
    [InlineData("8060", false)]  // PT 96
    [InlineData("80bf", false)]  // 191
    [InlineData("80", false)]
    public void DemuxSeparatesRtcpFromRtp(string hex, bool isRtcp) => Assert.Equal(isRtcp, RtpDemux.IsRtcp(Hex(hex)));
}
