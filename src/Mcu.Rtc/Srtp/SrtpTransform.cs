namespace Mcu.Rtc.Srtp;

/// <summary>
/// The cipher and authentication of one SRTP profile, for one of RTP or RTCP (each has
/// its own session keys). Index bookkeeping lives in <see cref="SrtpContext"/>.
/// </summary>
internal abstract class SrtpTransform : IDisposable
{
    /// <summary>Bytes appended to an RTP packet.</summary>
    public abstract int RtpOverhead { get; }

    /// <summary>Bytes appended to an RTCP packet (E flag + index, and tag).</summary>
    public abstract int RtcpOverhead { get; }

    /// <summary>Distance of the 32-bit E||SRTCP index field from the end of an SRTCP packet.</summary>
    public abstract int RtcpIndexOffsetFromEnd { get; }

    /// <summary>Encrypts packet[headerLength..length] in place and writes the tag at packet[length..].</summary>
    public abstract void ProtectRtp(Span<byte> packet, int headerLength, int length, uint ssrc, uint rolloverCounter, ushort sequence);

    /// <summary>Verifies and decrypts packet (tag included) in place; false on authentication failure.</summary>
    public abstract bool UnprotectRtp(Span<byte> packet, int headerLength, uint ssrc, uint rolloverCounter, ushort sequence);

    /// <summary>Encrypts packet[8..length] and appends E=1 || index and the tag.</summary>
    public abstract void ProtectRtcp(Span<byte> packet, int length, uint ssrc, uint index);

    /// <summary>Verifies and, if E is set, decrypts an SRTCP packet in place.</summary>
    public abstract bool UnprotectRtcp(Span<byte> packet, uint ssrc, uint encryptedFlagAndIndex);

    public abstract void Dispose();
}
