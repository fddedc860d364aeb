using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Mcu.Rtc.Srtp;

/// <summary>
/// AES_CM_128_HMAC_SHA1_80 (RFC 3711 §4.1.1, §4.2.1): AES counter mode encryption and an
/// HMAC-SHA1 tag truncated to 80 bits. RTP authenticates header || payload || ROC; SRTCP
/// authenticates the whole packet including E || index.
/// </summary>
internal sealed class SrtpAesCmTransform : SrtpTransform
{
    public const int KeyLength = 16;
    public const int SaltLength = 14;
    public const int AuthKeyLength = 20;
    public const int TagLength = 10;
    private const int IndexLength = 4;
    private const int RtcpHeaderLength = 8;
    private const int SsrcIvOffset = 4;
    private const int IndexIvOffset = 8;
    private const int Sha1Length = 20;

    private readonly AesCounterMode _cipher;
    private readonly IncrementalHash _hmac;
    private readonly byte[] _salt;

    public SrtpAesCmTransform(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> authKey)
    {
        _cipher = new AesCounterMode(key);
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, authKey);
        _salt = salt.ToArray();
    }

    public override int RtpOverhead => TagLength;
    public override int RtcpOverhead => IndexLength + TagLength;
    public override int RtcpIndexOffsetFromEnd => IndexLength + TagLength;

    public override void ProtectRtp(Span<byte> packet, int headerLength, int length, uint ssrc, uint rolloverCounter, ushort sequence)
    {
        Span<byte> iv = stackalloc byte[AesCounterMode.BlockSize];
        BuildIv(iv, ssrc, SrtpStream.PacketIndex(rolloverCounter, sequence));
        _cipher.Transform(iv, packet[headerLength..length]);
        ComputeTag(packet[..length], rolloverCounter, includeRolloverCounter: true, packet.Slice(length, TagLength));
    }

    public override bool UnprotectRtp(Span<byte> packet, int headerLength, uint ssrc, uint rolloverCounter, ushort sequence)
    {
        int length = packet.Length - TagLength;
        Span<byte> tag = stackalloc byte[TagLength];
        ComputeTag(packet[..length], rolloverCounter, includeRolloverCounter: true, tag);
        if (!CryptographicOperations.FixedTimeEquals(tag, packet[length..]))
        {
            return false;
        }

        Span<byte> iv = stackalloc byte[AesCounterMode.BlockSize];
        BuildIv(iv, ssrc, SrtpStream.PacketIndex(rolloverCounter, sequence));
        _cipher.Transform(iv, packet[headerLength..length]);
        return true;
    }

    public override void ProtectRtcp(Span<byte> packet, int length, uint ssrc, uint index)
    {
        Span<byte> iv = stackalloc byte[AesCounterMode.BlockSize];
        BuildIv(iv, ssrc, index);
        _cipher.Transform(iv, packet[RtcpHeaderLength..length]);
        BinaryPrimitives.WriteUInt32BigEndian(packet[length..], index | 0x8000_0000u);
        int authenticated = length + IndexLength;
        ComputeTag(packet[..authenticated], 0, includeRolloverCounter: false, packet.Slice(authenticated, TagLength));
    }

    public override bool UnprotectRtcp(Span<byte> packet, uint ssrc, uint encryptedFlagAndIndex)
    {
        int authenticated = packet.Length - TagLength;
        Span<byte> tag = stackalloc byte[TagLength];
        ComputeTag(packet[..authenticated], 0, includeRolloverCounter: false, tag);
        if (!CryptographicOperations.FixedTimeEquals(tag, packet[authenticated..]))
        {
            return false;
        }

        if ((encryptedFlagAndIndex & 0x8000_0000u) != 0)
        {
            Span<byte> iv = stackalloc byte[AesCounterMode.BlockSize];
            BuildIv(iv, ssrc, encryptedFlagAndIndex & 0x7FFF_FFFFu);
            _cipher.Transform(iv, packet[RtcpHeaderLength..(authenticated - IndexLength)]);
        }

        return true;
    }

    /// <summary>IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16), RFC 3711 §4.1.1.</summary>
    private void BuildIv(Span<byte> iv, uint ssrc, ulong index)
    {
        iv.Clear();
        _salt.CopyTo(iv);
        Span<byte> field = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(field, ssrc);
        for (int i = 0; i < 4; i++)
        {
            iv[SsrcIvOffset + i] ^= field[i];
        }

        BinaryPrimitives.WriteUInt64BigEndian(field, index << 16); // 48-bit index in the top 6 bytes
        for (int i = 0; i < 6; i++)
        {
            iv[IndexIvOffset + i] ^= field[i];
        }
    }

    private void ComputeTag(ReadOnlySpan<byte> authenticated, uint rolloverCounter, bool includeRolloverCounter, Span<byte> tag)
    {
        _hmac.AppendData(authenticated);
        if (includeRolloverCounter)
        {
            Span<byte> roc = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(roc, rolloverCounter);
            _hmac.AppendData(roc);
        }

        Span<byte> digest = stackalloc byte[Sha1Length];
        _hmac.TryGetHashAndReset(digest, out _);
        digest[..TagLength].CopyTo(tag);
    }

    public override void Dispose()
    {
        _cipher.Dispose();
        _hmac.Dispose();
        CryptographicOperations.ZeroMemory(_salt);
    }
}
