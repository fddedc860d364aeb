using System.Buffers.Binary;
using System.Security.Cryptography;
using Mcu.Rtc.Rtp;

namespace Mcu.Rtc.Srtp;

/// <summary>
/// SRTP/SRTCP (RFC 3711, RFC 7714) for one direction of a session: either everything we
/// send or everything the peer sends, for all SSRCs. Per-SSRC state (ROC, highest sequence,
/// replay windows, SRTCP index) is created on first use and then reused, so steady state
/// allocates nothing. Not thread-safe: one context belongs to one send or receive loop.
/// </summary>
public sealed class SrtpContext : IDisposable
{
    private const int RtcpHeaderLength = 8;
    private const int RtcpSsrcOffset = 4;
    private const int SequenceNumberOffset = 2;
    private const int SsrcOffset = 8;
    private const uint RtcpIndexMask = 0x7FFF_FFFF;

    private readonly SrtpTransform _rtp;
    private readonly SrtpTransform _rtcp;
    private readonly Dictionary<uint, SrtpStream> _streams = [];

    public SrtpContext(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (masterKey.Length != SrtpKeys.MasterKeyLength(profile))
        {
            throw new ArgumentException($"Master key must be {SrtpKeys.MasterKeyLength(profile)} bytes.", nameof(masterKey));
        }

        if (masterSalt.Length != SrtpKeys.MasterSaltLength(profile))
        {
            throw new ArgumentException($"Master salt must be {SrtpKeys.MasterSaltLength(profile)} bytes.", nameof(masterSalt));
        }

        Profile = profile;
        Span<byte> key = stackalloc byte[SrtpAesCmTransform.KeyLength];
        Span<byte> salt = stackalloc byte[masterSalt.Length];
        Span<byte> authKey = stackalloc byte[SrtpAesCmTransform.AuthKeyLength];
        try
        {
            _rtp = CreateTransform(profile, masterKey, masterSalt, SrtpKeyDerivation.RtpEncryptionLabel, key, salt, authKey);
            _rtcp = CreateTransform(profile, masterKey, masterSalt, SrtpKeyDerivation.RtcpEncryptionLabel, key, salt, authKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(salt);
            CryptographicOperations.ZeroMemory(authKey);
        }
    }

    /// <summary>Builds a context from already derived session keys (RFC 7714 vectors are given that way).</summary>
    internal SrtpContext(SrtpProfile profile, SrtpTransform rtp, SrtpTransform rtcp)
    {
        Profile = profile;
        _rtp = rtp;
        _rtcp = rtcp;
    }

    public SrtpProfile Profile { get; }

    /// <summary>Bytes a protect may add, for any profile: RTP tag, or SRTCP index + tag.</summary>
    public static int MaxOverhead => SrtpAesGcmTransform.TagLength + 4;

    /// <summary>Bytes <see cref="TryProtectRtp"/> adds with this profile.</summary>
    public int RtpOverhead => _rtp.RtpOverhead;

    /// <summary>Bytes <see cref="TryProtectRtcp"/> adds with this profile.</summary>
    public int RtcpOverhead => _rtcp.RtcpOverhead;

    /// <summary>Number of SSRCs with state in this context.</summary>
    public int StreamCount => _streams.Count;

    /// <summary>
    /// Protects buffer[..length] (plaintext RTP) in place; buffer must have room for the tag.
    /// Returns false if the data is not a version 2 RTP packet or the buffer is too small.
    /// </summary>
    public bool TryProtectRtp(Span<byte> buffer, int length, out int protectedLength)
    {
        protectedLength = 0;
        if ((uint)length > (uint)buffer.Length
            || !RtpPacket.TryGetHeaderLength(buffer[..length], out int headerLength)
            || buffer.Length - length < _rtp.RtpOverhead)
        {
            return false;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[SsrcOffset..]);
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(buffer[SequenceNumberOffset..]);
        SrtpStream stream = GetOrAddStream(ssrc);

        // The sender estimates its own ROC like a receiver would, so a retransmission of an
        // old sequence number keeps the ROC it was first sent with.
        uint rolloverCounter = stream.EstimateRolloverCounter(sequence);
        stream.Update(rolloverCounter, sequence);
        _rtp.ProtectRtp(buffer, headerLength, length, ssrc, rolloverCounter, sequence);
        protectedLength = length + _rtp.RtpOverhead;
        return true;
    }

    /// <summary>
    /// Authenticates and decrypts an SRTP packet in place. False if malformed, forged or a replay;
    /// on false the packet content is unspecified.
    /// </summary>
    public bool TryUnprotectRtp(Span<byte> packet, out int plainLength)
    {
        plainLength = 0;
        if (!RtpPacket.TryGetHeaderLength(packet, out int headerLength)
            || packet.Length - headerLength < _rtp.RtpOverhead)
        {
            return false;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[SsrcOffset..]);
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[SequenceNumberOffset..]);
        _streams.TryGetValue(ssrc, out SrtpStream? stream);
        uint rolloverCounter = stream?.EstimateRolloverCounter(sequence) ?? 0;
        ulong index = SrtpStream.PacketIndex(rolloverCounter, sequence);
        if (stream is not null && stream.RtpReplay.IsReplay(index))
        {
            return false;
        }

        if (!_rtp.UnprotectRtp(packet, headerLength, ssrc, rolloverCounter, sequence))
        {
            return false;
        }

        // State is only created for authenticated packets, so forged SSRCs cost nothing.
        stream ??= GetOrAddStream(ssrc);
        stream.Update(rolloverCounter, sequence);
        stream.RtpReplay.Accept(index);
        plainLength = packet.Length - _rtp.RtpOverhead;
        return true;
    }

    /// <summary>
    /// Protects buffer[..length] (a plaintext RTCP compound packet) in place with the next SRTCP
    /// index of its first packet's SSRC; buffer must have room for index and tag.
    /// </summary>
    public bool TryProtectRtcp(Span<byte> buffer, int length, out int protectedLength)
    {
        protectedLength = 0;
        if ((uint)length > (uint)buffer.Length
            || !IsRtcpHeader(buffer[..length])
            || buffer.Length - length < _rtcp.RtcpOverhead)
        {
            return false;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[RtcpSsrcOffset..]);
        SrtpStream stream = GetOrAddStream(ssrc);
        uint index = stream.NextRtcpIndex;
        stream.NextRtcpIndex = (index + 1) & RtcpIndexMask;
        _rtcp.ProtectRtcp(buffer, length, ssrc, index);
        protectedLength = length + _rtcp.RtcpOverhead;
        return true;
    }

    /// <summary>Authenticates and (if E is set) decrypts an SRTCP packet in place.</summary>
    public bool TryUnprotectRtcp(Span<byte> packet, out int plainLength)
    {
        plainLength = 0;
        if (packet.Length < RtcpHeaderLength + _rtcp.RtcpOverhead || !IsRtcpHeader(packet))
        {
            return false;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[RtcpSsrcOffset..]);
        uint encryptedFlagAndIndex = BinaryPrimitives.ReadUInt32BigEndian(packet[^_rtcp.RtcpIndexOffsetFromEnd..]);
        ulong index = encryptedFlagAndIndex & RtcpIndexMask;
        _streams.TryGetValue(ssrc, out SrtpStream? stream);
        if (stream is not null && stream.RtcpReplay.IsReplay(index))
        {
            return false;
        }

        if (!_rtcp.UnprotectRtcp(packet, ssrc, encryptedFlagAndIndex))
        {
            return false;
        }

        stream ??= GetOrAddStream(ssrc);
        stream.RtcpReplay.Accept(index);
        plainLength = packet.Length - _rtcp.RtcpOverhead;
        return true;
    }

    /// <summary>Current rollover counter of an SSRC (0 if unknown), for diagnostics and tests.</summary>
    public uint GetRolloverCounter(uint ssrc) => _streams.TryGetValue(ssrc, out SrtpStream? s) ? s.RolloverCounter : 0;

    private static bool IsRtcpHeader(ReadOnlySpan<byte> packet) =>
        packet.Length >= RtcpHeaderLength && packet[0] >> 6 == 2;

    private SrtpStream GetOrAddStream(uint ssrc)
    {
        if (!_streams.TryGetValue(ssrc, out SrtpStream? stream))
        {
            stream = new SrtpStream();
            _streams.Add(ssrc, stream);
        }

        return stream;
    }

    private static SrtpTransform CreateTransform(
        SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt,
        byte encryptionLabel, Span<byte> key, Span<byte> salt, Span<byte> authKey)
    {
        // Labels come in order encryption, authentication, salt for RTP (0..2) and RTCP (3..5).
        SrtpKeyDerivation.Derive(masterKey, masterSalt, encryptionLabel, key);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, (byte)(encryptionLabel + 2), salt);
        switch (profile)
        {
            case SrtpProfile.Aes128CmHmacSha1_80:
                SrtpKeyDerivation.Derive(masterKey, masterSalt, (byte)(encryptionLabel + 1), authKey);
                return new SrtpAesCmTransform(key, salt, authKey);
            case SrtpProfile.AeadAes128Gcm:
                return new SrtpAesGcmTransform(key, salt);
            default:
                throw new ArgumentOutOfRangeException(nameof(profile), profile, "Unsupported SRTP profile.");
        }
    }

    public void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
    }
}
