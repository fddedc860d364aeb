using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Mcu.Rtc.Srtp;

/// <summary>
/// AEAD_AES_128_GCM (RFC 7714): the RTP header (or the first 8 RTCP octets plus E || index)
/// is associated data, the payload is encrypted, and a 16-octet tag is appended.
/// SRTCP layout: header | ciphertext | tag | E || index (§9.1).
/// </summary>
internal sealed class SrtpAesGcmTransform : SrtpTransform
{
    public const int KeyLength = 16;
    public const int SaltLength = 12;
    public const int TagLength = 16;
    private const int IndexLength = 4;
    private const int RtcpHeaderLength = 8;
    private const int NonceSsrcOffset = 2;
    private const int NonceRolloverCounterOffset = 6;
    private const int NonceSequenceOffset = 10;
    private const int NonceRtcpIndexOffset = 8;

    private readonly AesGcm _gcm;
    private readonly byte[] _salt;

    public SrtpAesGcmTransform(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt)
    {
        _gcm = new AesGcm(key, TagLength);
        _salt = salt.ToArray();
    }

    public override int RtpOverhead => TagLength;
    public override int RtcpOverhead => TagLength + IndexLength;
    public override int RtcpIndexOffsetFromEnd => IndexLength;

    public override void ProtectRtp(Span<byte> packet, int headerLength, int length, uint ssrc, uint rolloverCounter, ushort sequence)
    {
        Span<byte> nonce = stackalloc byte[SaltLength];
        BuildRtpNonce(nonce, ssrc, rolloverCounter, sequence);
        Span<byte> payload = packet[headerLength..length];
        _gcm.Encrypt(nonce, payload, payload, packet.Slice(length, TagLength), packet[..headerLength]);
    }

    public override bool UnprotectRtp(Span<byte> packet, int headerLength, uint ssrc, uint rolloverCounter, ushort sequence)
    {
        Span<byte> nonce = stackalloc byte[SaltLength];
        BuildRtpNonce(nonce, ssrc, rolloverCounter, sequence);
        int length = packet.Length - TagLength;
        Span<byte> payload = packet[headerLength..length];
        return TryDecrypt(nonce, payload, packet[length..], packet[..headerLength]);
    }

    public override void ProtectRtcp(Span<byte> packet, int length, uint ssrc, uint index)
    {
        Span<byte> nonce = stackalloc byte[SaltLength];
        BuildRtcpNonce(nonce, ssrc, index);
        uint encryptedFlagAndIndex = index | 0x8000_0000u;

        // §9.1: AAD = first 8 octets || E || SRTCP index.
        Span<byte> aad = stackalloc byte[RtcpHeaderLength + IndexLength];
        packet[..RtcpHeaderLength].CopyTo(aad);
        BinaryPrimitives.WriteUInt32BigEndian(aad[RtcpHeaderLength..], encryptedFlagAndIndex);

        Span<byte> payload = packet[RtcpHeaderLength..length];
        _gcm.Encrypt(nonce, payload, payload, packet.Slice(length, TagLength), aad);
        BinaryPrimitives.WriteUInt32BigEndian(packet[(length + TagLength)..], encryptedFlagAndIndex);
    }

    public override bool UnprotectRtcp(Span<byte> packet, uint ssrc, uint encryptedFlagAndIndex)
    {
        Span<byte> nonce = stackalloc byte[SaltLength];
        BuildRtcpNonce(nonce, ssrc, encryptedFlagAndIndex & 0x7FFF_FFFFu);
        int length = packet.Length - TagLength - IndexLength;
        Span<byte> tag = stackalloc byte[TagLength];
        packet.Slice(length, TagLength).CopyTo(tag);

        if ((encryptedFlagAndIndex & 0x8000_0000u) != 0)
        {
            Span<byte> aad = stackalloc byte[RtcpHeaderLength + IndexLength];
            packet[..RtcpHeaderLength].CopyTo(aad);
            BinaryPrimitives.WriteUInt32BigEndian(aad[RtcpHeaderLength..], encryptedFlagAndIndex);
            return TryDecrypt(nonce, packet[RtcpHeaderLength..length], tag, aad);
        }

        // §9.2, E = 0: the whole packet || E || index is AAD and nothing is encrypted. Move the
        // index next to the packet (over the tag we copied) to make the AAD contiguous.
        BinaryPrimitives.WriteUInt32BigEndian(packet[length..], encryptedFlagAndIndex);
        return TryDecrypt(nonce, Span<byte>.Empty, tag, packet[..(length + IndexLength)]);
    }

    private bool TryDecrypt(ReadOnlySpan<byte> nonce, Span<byte> data, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> aad)
    {
        try
        {
            _gcm.Decrypt(nonce, data, tag, data, aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // Only forged or corrupted packets reach here; the exception cost is theirs.
            return false;
        }
    }

    /// <summary>§8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt.</summary>
    private void BuildRtpNonce(Span<byte> nonce, uint ssrc, uint rolloverCounter, ushort sequence)
    {
        nonce.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[NonceSsrcOffset..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[NonceRolloverCounterOffset..], rolloverCounter);
        BinaryPrimitives.WriteUInt16BigEndian(nonce[NonceSequenceOffset..], sequence);
        XorSalt(nonce);
    }

    /// <summary>§9.1: IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt.</summary>
    private void BuildRtcpNonce(Span<byte> nonce, uint ssrc, uint index)
    {
        nonce.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[NonceSsrcOffset..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[NonceRtcpIndexOffset..], index);
        XorSalt(nonce);
    }

    private void XorSalt(Span<byte> nonce)
    {
        for (int i = 0; i < SaltLength; i++)
        {
            nonce[i] ^= _salt[i];
        }
    }

    public override void Dispose()
    {
        _gcm.Dispose();
        CryptographicOperations.ZeroMemory(_salt);
    }
}
