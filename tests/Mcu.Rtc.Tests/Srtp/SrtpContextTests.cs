using System.Buffers.Binary;
using System.Security.Cryptography;
using Mcu.Rtc.Srtp;

namespace Mcu.Rtc.Tests.Srtp;

public class SrtpContextTests
{
    private static readonly SrtpProfile[] Profiles = [SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm];

    public static TheoryData<SrtpProfile> AllProfiles => new(Profiles);

    private static (SrtpContext Sender, SrtpContext Receiver) Pair(SrtpProfile profile)
    {
        byte[] material = new byte[SrtpKeys.KeyingMaterialLength(profile)];
        new Random(42).NextBytes(material);
        (SrtpContext serverLocal, SrtpContext serverRemote) = SrtpKeys.CreateContexts(profile, material, isDtlsServer: true);
        (SrtpContext clientLocal, SrtpContext clientRemote) = SrtpKeys.CreateContexts(profile, material, isDtlsServer: false);
        serverRemote.Dispose();
        clientLocal.Dispose();
        return (serverLocal, clientRemote); // server sends, client receives
    }

    private static byte[] Rtp(ushort sequence, uint ssrc = 0x11223344, int payloadLength = 100)
    {
        byte[] packet = new byte[12 + payloadLength];
        packet[0] = 0x80;
        packet[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), sequence * 3000u);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        for (int i = 12; i < packet.Length; i++)
        {
            packet[i] = (byte)(i + sequence);
        }

        return packet;
    }

    private static byte[] Protect(SrtpContext context, byte[] rtp)
    {
        byte[] buffer = new byte[rtp.Length + SrtpContext.MaxOverhead];
        rtp.CopyTo(buffer, 0);
        Assert.True(context.TryProtectRtp(buffer, rtp.Length, out int length));
        Assert.Equal(rtp.Length + context.RtpOverhead, length);
        return buffer[..length];
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void KeyingMaterialLengthIsTwiceKeyPlusSalt(SrtpProfile profile) =>
        Assert.Equal(profile == SrtpProfile.Aes128CmHmacSha1_80 ? 60 : 56, SrtpKeys.KeyingMaterialLength(profile));

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void RtpRoundTripsAndCiphertextDiffersFromPlaintext(SrtpProfile profile)
    {
        (SrtpContext sender, SrtpContext receiver) = Pair(profile);
        using (sender)
        using (receiver)
        {
            for (ushort seq = 1000; seq < 1010; seq++)
            {
                byte[] rtp = Rtp(seq);
                byte[] srtp = Protect(sender, rtp);
                Assert.Equal(rtp[..12], srtp[..12]);
                Assert.NotEqual(rtp[12..], srtp[12..rtp.Length]);
                Assert.True(receiver.TryUnprotectRtp(srtp, out int plainLength));
                Assert.Equal(rtp, srtp[..plainLength]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void LocalOfOneSideIsRemoteOfTheOther(SrtpProfile profile)
    {
        byte[] material = RandomNumberGenerator.GetBytes(SrtpKeys.KeyingMaterialLength(profile));
        (SrtpContext serverLocal, SrtpContext serverRemote) = SrtpKeys.CreateContexts(profile, material, isDtlsServer: true);
        (SrtpContext clientLocal, SrtpContext clientRemote) = SrtpKeys.CreateContexts(profile, material, isDtlsServer: false);
        using (serverLocal)
        using (serverRemote)
        using (clientLocal)
        using (clientRemote)
        {
            byte[] fromClient = Protect(clientLocal, Rtp(1));
            Assert.False(clientRemote.TryUnprotectRtp(fromClient.ToArray(), out _)); // wrong direction's keys
            Assert.True(serverRemote.TryUnprotectRtp(fromClient, out _));
        }
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void TamperedHeaderPayloadOrTagIsRejected(SrtpProfile profile)
    {
        (SrtpContext sender, SrtpContext receiver) = Pair(profile);
        using (sender)
        using (receiver)
        {
            byte[] srtp = Protect(sender, Rtp(5));
            foreach (int position in new[] { 1, 11, 20, srtp.Length - 1 })
            {
                byte[] tampered = srtp.ToArray();
                tampered[position] ^= 0x01;
                Assert.False(receiver.TryUnprotectRtp(tampered, out _));
            }

            Assert.False(receiver.TryUnprotectRtp(srtp.AsSpan(0, 14).ToArray(), out _)); // truncated
            Assert.True(receiver.TryUnprotectRtp(srtp, out _)); // failures left no state behind
        }
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void ReplayedAndTooOldPacketsAreRejected(SrtpProfile profile)
    {
        (SrtpContext sender, SrtpContext receiver) = Pair(profile);
        using (sender)
        using (receiver)
        {
            var protectedPackets = new List<byte[]>();
            for (ushort seq = 0; seq < 200; seq++)
            {
                protectedPackets.Add(Protect(sender, Rtp(seq)));
            }

            Assert.True(receiver.TryUnprotectRtp(protectedPackets[100].ToArray(), out _));
            Assert.False(receiver.TryUnprotectRtp(protectedPackets[100].ToArray(), out _)); // replay
            Assert.True(receiver.TryUnprotectRtp(protectedPackets[99].ToArray(), out _)); // reordered, in window
            Assert.False(receiver.TryUnprotectRtp(protectedPackets[99].ToArray(), out _));
            Assert.True(receiver.TryUnprotectRtp(protectedPackets[37].ToArray(), out _)); // age 63: last slot
            Assert.False(receiver.TryUnprotectRtp(protectedPackets[36].ToArray(), out _)); // age 64: too old
            Assert.True(receiver.TryUnprotectRtp(protectedPackets[199].ToArray(), out _));
            Assert.False(receiver.TryUnprotectRtp(protectedPackets[100].ToArray(), out _)); // slid out
        }
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void RolloverCounterAdvancesWhenSequenceWraps(SrtpProfile profile)
    {
        (SrtpContext sender, SrtpContext receiver) = Pair(profile);
        using (sender)
        using (receiver)
        {
            const uint ssrc = 0xCAFE;
            byte[] late = [];
            for (int i = 0; i < 20; i++)
            {
                ushort seq = unchecked((ushort)(65530 + i));
                byte[] srtp = Protect(sender, Rtp(seq, ssrc));
                if (seq == 65534)
                {
                    late = srtp; // delivered after the wrap
                    continue;
                }

                Assert.True(receiver.TryUnprotectRtp(srtp, out int length));
                Assert.Equal(Rtp(seq, ssrc), srtp[..length]);
            }

            Assert.Equal(1u, sender.GetRolloverCounter(ssrc));
            Assert.Equal(1u, receiver.GetRolloverCounter(ssrc));
            Assert.True(receiver.TryUnprotectRtp(late, out int lateLength)); // estimated ROC 0
            Assert.Equal(Rtp(65534, ssrc), late[..lateLength]);

            // A receiver that wrongly assumes ROC 0 after the wrap cannot authenticate it.
            (SrtpContext _, SrtpContext fresh) = Pair(profile);
            using (fresh)
            {
                Assert.False(fresh.TryUnprotectRtp(Protect(sender, Rtp(20, ssrc)), out _));
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void StreamsOfDifferentSsrcsAreIndependent(SrtpProfile profile)
    {
        (SrtpContext sender, SrtpContext receiver) = Pair(profile);
        using (sender)
        using (receiver)
        {
            byte[] a = Protect(sender, Rtp(7, ssrc: 1));
            byte[] b = Protect(sender, Rtp(7, ssrc: 2));
            Assert.True(receiver.TryUnprotectRtp(a, out _));
            Assert.True(receiver.TryUnprotectRtp(b, out _)); // same seq, other SSRC: not a replay
            Assert.Equal(2, receiver.StreamCount);
        }
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void RtcpRoundTripsWithIncreasingIndexAndRejectsReplayAndTamper(SrtpProfile profile)
    {
        (SrtpContext sender, SrtpContext receiver) = Pair(profile);
        using (sender)
        using (receiver)
        {
            byte[] rtcp = Convert.FromHexString("80c90001deadbeef81ca000600000000010a43414d3a7465737400000000");
            rtcp[0] = 0x80;
            var sent = new List<byte[]>();
            for (int i = 0; i < 3; i++)
            {
                byte[] buffer = new byte[rtcp.Length + SrtpContext.MaxOverhead];
                rtcp.CopyTo(buffer, 0);
                Assert.True(sender.TryProtectRtcp(buffer, rtcp.Length, out int length));
                Assert.Equal(rtcp.Length + sender.RtcpOverhead, length);
                sent.Add(buffer[..length]);
            }

            int indexOffset = profile == SrtpProfile.Aes128CmHmacSha1_80 ? rtcp.Length : rtcp.Length + 16;
            for (int i = 0; i < sent.Count; i++)
            {
                Assert.Equal(0x8000_0000u | (uint)i, BinaryPrimitives.ReadUInt32BigEndian(sent[i].AsSpan(indexOffset)));
            }

            byte[] tampered = sent[1].ToArray();
            tampered[12] ^= 0x80;
            Assert.False(receiver.TryUnprotectRtcp(tampered, out _));

            foreach (byte[] srtcp in sent)
            {
                byte[] copy = srtcp.ToArray();
                Assert.True(receiver.TryUnprotectRtcp(copy, out int plainLength));
                Assert.Equal(rtcp, copy[..plainLength]);
            }

            Assert.False(receiver.TryUnprotectRtcp(sent[2].ToArray(), out _)); // replay
        }
    }

    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void NonRtpAndShortBuffersAreRefused(SrtpProfile profile)
    {
        (SrtpContext sender, SrtpContext receiver) = Pair(profile);
        using (sender)
        using (receiver)
        {
            byte[] rtp = Rtp(1);
            Assert.False(sender.TryProtectRtp(rtp, rtp.Length, out _)); // no room for the tag
            byte[] dtls = new byte[64];
            dtls[0] = 22;
            Assert.False(sender.TryProtectRtp(dtls, 40, out _));
            Assert.False(receiver.TryUnprotectRtp(dtls, out _));
            Assert.False(receiver.TryUnprotectRtcp(dtls, out _));
            Assert.False(receiver.TryUnprotectRtcp(new byte[10], out _));
        }
    }

    [Fact]
    public void WrongKeyLengthsThrow()
    {
        Assert.Throws<ArgumentException>(() => new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, new byte[16], new byte[12]));
        Assert.Throws<ArgumentException>(() => new SrtpContext(SrtpProfile.AeadAes128Gcm, new byte[15], new byte[12]));
        Assert.Throws<ArgumentException>(() => SrtpKeys.CreateContexts(SrtpProfile.AeadAes128Gcm, new byte[60], true));
    }

    [Fact]
    public void GcmProtectMatchesAesGcmComputedDirectly()
    {
        // Cross-check of the RFC 7714 §8.1 nonce and AAD layout against AesGcm with hand-built inputs.
        byte[] key = RandomNumberGenerator.GetBytes(16);
        byte[] salt = RandomNumberGenerator.GetBytes(12);
        using var context = new SrtpContext(SrtpProfile.AeadAes128Gcm, new SrtpAesGcmTransform(key, salt), new SrtpAesGcmTransform(key, salt));
        byte[] rtp = Rtp(0x1234, 0xA1B2C3D4, 50);
        byte[] srtp = Protect(context, rtp);

        byte[] nonce = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(nonce.AsSpan(2), 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16BigEndian(nonce.AsSpan(10), 0x1234);
        for (int i = 0; i < 12; i++)
        {
            nonce[i] ^= salt[i];
        }

        using var gcm = new AesGcm(key, 16);
        byte[] ciphertext = new byte[50];
        byte[] tag = new byte[16];
        gcm.Encrypt(nonce, rtp.AsSpan(12), ciphertext, tag, rtp.AsSpan(0, 12));
        Assert.Equal(ciphertext, srtp[12..62]);
        Assert.Equal(tag, srtp[62..]);
    }
}
