using Mcu.Rtc.Srtp;

namespace Mcu.Fuzz.Targets;

/// <summary>
/// SRTP/SRTCP with a fixed key context. The first byte picks the profile (bit 0: AES-CM or
/// AES-GCM), RTP or RTCP (bit 1) and the mode (bit 2): the rest is either a received packet
/// to unprotect (forged, as an attacker sends them: only header checks are reachable), or a
/// plain packet to protect with the sender's context and unprotect with the receiver's,
/// which must give back the same bytes (reaching the decryption and replay paths).
/// </summary>
internal static class SrtpTarget
{
    private static readonly byte[] Key = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
    private static readonly byte[] CmSalt = Enumerable.Range(0x40, 14).Select(i => (byte)i).ToArray();
    private static readonly byte[] GcmSalt = Enumerable.Range(0x40, 12).Select(i => (byte)i).ToArray();

    public static void Run(byte[] data)
    {
        if (data.Length == 0)
        {
            return;
        }
        byte mode = data[0];
        var profile = (mode & 1) == 0 ? SrtpProfile.Aes128CmHmacSha1_80 : SrtpProfile.AeadAes128Gcm;
        bool rtcp = (mode & 2) != 0;
        var packet = data.AsSpan(1);
        using var receiver = Create(profile);
        if ((mode & 4) == 0)
        {
            Unprotect(receiver, rtcp, packet.ToArray(), out _);
            // The same packet again: a replay, or the same forgery.
            Unprotect(receiver, rtcp, packet.ToArray(), out _);
            return;
        }

        using var sender = Create(profile);
        var buffer = new byte[packet.Length + SrtpContext.MaxOverhead];
        packet.CopyTo(buffer);
        bool isProtected = rtcp
            ? sender.TryProtectRtcp(buffer, packet.Length, out int protectedLength)
            : sender.TryProtectRtp(buffer, packet.Length, out protectedLength);
        if (!isProtected)
        {
            return;
        }
        var wire = buffer.AsSpan(0, protectedLength).ToArray();
        if (!Unprotect(receiver, rtcp, wire, out int plainLength))
        {
            throw new FuzzInvariantException("a packet we protected did not unprotect");
        }
        if (!wire.AsSpan(0, plainLength).SequenceEqual(packet))
        {
            throw new FuzzInvariantException("unprotect did not give back the plain packet");
        }
        if (Unprotect(receiver, rtcp, buffer.AsSpan(0, protectedLength).ToArray(), out _))
        {
            throw new FuzzInvariantException("a replayed packet was accepted");
        }
    }

    private static SrtpContext Create(SrtpProfile profile) =>
        new(profile, Key, profile == SrtpProfile.AeadAes128Gcm ? GcmSalt : CmSalt);

    private static bool Unprotect(SrtpContext context, bool rtcp, byte[] packet, out int plainLength) =>
        rtcp ? context.TryUnprotectRtcp(packet, out plainLength) : context.TryUnprotectRtp(packet, out plainLength);
}
