using Mcu.Rtc.Srtp;

namespace Mcu.Rtc.Tests.Srtp;

/// <summary>Published test vectors: RFC 3711 appendix B, RFC 7714 §16-17 and libsrtp's reference packets.</summary>
public class SrtpVectorTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    [Fact]
    public void AesCounterModeKeystreamMatchesRfc3711AppendixB2()
    {
        using var cipher = new AesCounterMode(Hex("2B7E151628AED2A6ABF7158809CF4F3C"));
        byte[] keystream = new byte[0xFF02 * 16];
        cipher.Transform(Hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), keystream);

        Assert.Equal(Hex("E03EAD0935C95E80E166B16DD92B4EB4"), keystream.AsSpan(0x0000 * 16, 16).ToArray());
        Assert.Equal(Hex("D23513162B02D0F72A43A2FE4A5F97AB"), keystream.AsSpan(0x0001 * 16, 16).ToArray());
        Assert.Equal(Hex("41E95B3BB0A2E8DD477901E4FCA894C0"), keystream.AsSpan(0x0002 * 16, 16).ToArray());
        Assert.Equal(Hex("EC8CDF7398607CB0F2D21675EA9EA1E4"), keystream.AsSpan(0xFEFF * 16, 16).ToArray());
        Assert.Equal(Hex("362B7C3C6773516318A077D7FC5073AE"), keystream.AsSpan(0xFF00 * 16, 16).ToArray());
        Assert.Equal(Hex("6A2CC3787889374FBEB4C81B17BA6C44"), keystream.AsSpan(0xFF01 * 16, 16).ToArray());
    }

    [Fact]
    public void KeyDerivationMatchesRfc3711AppendixB3()
    {
        byte[] masterKey = Hex("E1F97A0D3E018BE0D64FA32C06DE4139");
        byte[] masterSalt = Hex("0EC675AD498AFEEBB6960B3AABE6");
        byte[] cipherKey = new byte[16];
        byte[] cipherSalt = new byte[14];
        byte[] authKey = new byte[94];

        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpEncryptionLabel, cipherKey);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpSaltLabel, cipherSalt);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpAuthenticationLabel, authKey);

        Assert.Equal(Hex("C61E7A93744F39EE10734AFE3FF7A087"), cipherKey);
        Assert.Equal(Hex("30CBBC08863D8C85D49DB34A9AE1"), cipherSalt);
        Assert.Equal(
            Hex("CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE E049646C43D9327AD175578EF7227098 "
                + "6371C10C9A369AC2F94A8C5FBCDDDC25 6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2"),
            authKey);
    }

    // libsrtp test/srtp_driver.c srtp_validate: master key/salt of RFC 3711 B.3, SSRC cafebabe.
    private const string LibSrtpMasterKey = "E1F97A0D3E018BE0D64FA32C06DE4139";
    private const string LibSrtpMasterSalt = "0EC675AD498AFEEBB6960B3AABE6";
    private const string LibSrtpRtp = "800f1234decafbadcafebabe abababababababababababababababab";
    private const string LibSrtpSrtp = "800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb";
    private const string LibSrtpRtcp = "81c8000bcafebabe abababababababababababababababab";
    private const string LibSrtpSrtcp = "81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001 993e08cd54d6c1230798";

    [Fact]
    public void AesCmProtectMatchesLibSrtpReferencePackets()
    {
        using var context = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, Hex(LibSrtpMasterKey), Hex(LibSrtpMasterSalt));
        byte[] rtp = Hex(LibSrtpRtp);
        byte[] buffer = new byte[rtp.Length + SrtpContext.MaxOverhead];
        rtp.CopyTo(buffer, 0);
        Assert.True(context.TryProtectRtp(buffer, rtp.Length, out int srtpLength));
        Assert.Equal(Hex(LibSrtpSrtp), buffer[..srtpLength]);

        // libsrtp sends its first SRTCP packet with index 1; burn index 0 first.
        byte[] rtcp = Hex(LibSrtpRtcp);
        buffer = new byte[rtcp.Length + SrtpContext.MaxOverhead];
        rtcp.CopyTo(buffer, 0);
        Assert.True(context.TryProtectRtcp(buffer, rtcp.Length, out _));
        rtcp.CopyTo(buffer, 0);
        Assert.True(context.TryProtectRtcp(buffer, rtcp.Length, out int srtcpLength));
        Assert.Equal(Hex(LibSrtpSrtcp), buffer[..srtcpLength]);
    }

    [Fact]
    public void AesCmUnprotectMatchesLibSrtpReferencePackets()
    {
        using var context = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, Hex(LibSrtpMasterKey), Hex(LibSrtpMasterSalt));
        byte[] srtp = Hex(LibSrtpSrtp);
        Assert.True(context.TryUnprotectRtp(srtp, out int rtpLength));
        Assert.Equal(Hex(LibSrtpRtp), srtp[..rtpLength]);

        byte[] srtcp = Hex(LibSrtpSrtcp);
        Assert.True(context.TryUnprotectRtcp(srtcp, out int rtcpLength));
        Assert.Equal(Hex(LibSrtpRtcp), srtcp[..rtcpLength]);
    }

    // RFC 7714 §16-17 give session (not master) key and salt, and use them for RTP and RTCP alike.
    private const string GcmKey = "000102030405060708090a0b0c0d0e0f";
    private const string GcmSalt = "517569642070726f2071756f";
    private const string GcmRtp = "8040f17b8041f8d35501a0b2 47616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573";
    private const string GcmSrtp = "8040f17b8041f8d35501a0b2 f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833 899d7f27beb16a9152cf765ee4390cce";
    private const string GcmRtcp = "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";
    private const string GcmSrtcp = "81c8000d4d617273 63e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa458 96cf4d2fc5abf87245d9eade 800005d4";
    private const string GcmSrtcpTagOnly = "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef 841dd9683dd78ec92ae58790125f62b3 000005d4";

    private static SrtpContext GcmSessionContext() => new(
        SrtpProfile.AeadAes128Gcm,
        new SrtpAesGcmTransform(Hex(GcmKey), Hex(GcmSalt)),
        new SrtpAesGcmTransform(Hex(GcmKey), Hex(GcmSalt)));

    [Fact]
    public void GcmRtpMatchesRfc7714Section16()
    {
        using var sender = GcmSessionContext();
        byte[] rtp = Hex(GcmRtp);
        byte[] buffer = new byte[rtp.Length + SrtpContext.MaxOverhead];
        rtp.CopyTo(buffer, 0);
        Assert.True(sender.TryProtectRtp(buffer, rtp.Length, out int length));
        Assert.Equal(Hex(GcmSrtp), buffer[..length]);

        using var receiver = GcmSessionContext();
        byte[] srtp = Hex(GcmSrtp);
        Assert.True(receiver.TryUnprotectRtp(srtp, out int plainLength));
        Assert.Equal(rtp, srtp[..plainLength]);
    }

    [Fact]
    public void GcmRtcpMatchesRfc7714Section17()
    {
        using var receiver = GcmSessionContext();
        byte[] srtcp = Hex(GcmSrtcp);
        Assert.True(receiver.TryUnprotectRtcp(srtcp, out int plainLength));
        Assert.Equal(Hex(GcmRtcp), srtcp[..plainLength]);

        using var sender = GcmSessionContext();
        byte[] rtcp = Hex(GcmRtcp);
        byte[] buffer = new byte[rtcp.Length + SrtpContext.MaxOverhead];
        int length = 0;
        for (int index = 0; index <= 0x5d4; index++)
        {
            rtcp.CopyTo(buffer, 0);
            Assert.True(sender.TryProtectRtcp(buffer, rtcp.Length, out length));
        }

        Assert.Equal(Hex(GcmSrtcp), buffer[..length]);
    }

    [Fact]
    public void GcmRtcpWithoutEncryptionFlagIsAuthenticatedOnlyPerRfc7714Section17()
    {
        using var receiver = GcmSessionContext();
        byte[] srtcp = Hex(GcmSrtcpTagOnly);
        Assert.True(receiver.TryUnprotectRtcp(srtcp, out int plainLength));
        Assert.Equal(Hex(GcmRtcp), srtcp[..plainLength]);

        byte[] tampered = Hex(GcmSrtcpTagOnly);
        tampered[20] ^= 1;
        using var other = GcmSessionContext();
        Assert.False(other.TryUnprotectRtcp(tampered, out _));
    }
}
