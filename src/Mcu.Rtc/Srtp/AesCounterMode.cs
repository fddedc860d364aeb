using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Mcu.Rtc.Srtp;

/// <summary>
/// AES in counter mode (RFC 3711 §4.1.1): keystream block i is AES(key, IV + i).
/// Counter blocks are built in a reused buffer and encrypted with one ECB call per
/// chunk, so a packet costs no allocation. The ECB transform is created once and reused:
/// the one-shot <c>Aes.EncryptEcb</c> builds a native cipher context (and 128 managed bytes)
/// per call: protect+unprotect of a 1200-byte packet measured 28.8 us with it, 4.1 us without.
/// </summary>
internal sealed class AesCounterMode : IDisposable
{
    public const int BlockSize = 16;
    private const int ChunkBlocks = 64;

    private readonly Aes _aes;
    private readonly ICryptoTransform _ecb;
    private readonly byte[] _counterBlocks = new byte[ChunkBlocks * BlockSize];
    private readonly byte[] _keystream = new byte[ChunkBlocks * BlockSize];

    public AesCounterMode(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _ecb = _aes.CreateEncryptor();
    }

    /// <summary>XORs the keystream starting at <paramref name="iv"/> into <paramref name="data"/>.</summary>
    public void Transform(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        // SRTP IVs end in 16 zero bits (salt * 2^16), so adding the block number to the
        // low 32 bits is the RFC's 128-bit addition for any packet below 2^16 blocks.
        uint counterBase = BinaryPrimitives.ReadUInt32BigEndian(iv[12..]);
        uint block = 0;
        while (!data.IsEmpty)
        {
            int chunkLength = Math.Min(data.Length, _counterBlocks.Length);
            int blocks = (chunkLength + BlockSize - 1) / BlockSize;
            Span<byte> counters = _counterBlocks.AsSpan(0, blocks * BlockSize);
            for (int i = 0; i < blocks; i++)
            {
                Span<byte> counter = counters.Slice(i * BlockSize, BlockSize);
                iv[..12].CopyTo(counter);
                BinaryPrimitives.WriteUInt32BigEndian(counter[12..], counterBase + block);
                block++;
            }

            _ecb.TransformBlock(_counterBlocks, 0, counters.Length, _keystream, 0);
            Xor(data[..chunkLength], _keystream);
            data = data[chunkLength..];
        }
    }

    private static void Xor(Span<byte> data, ReadOnlySpan<byte> keystream)
    {
        int i = 0;
        int width = Vector<byte>.Count;
        for (; i + width <= data.Length; i += width)
        {
            (new Vector<byte>(data[i..]) ^ new Vector<byte>(keystream[i..])).CopyTo(data[i..]);
        }

        for (; i < data.Length; i++)
        {
            data[i] ^= keystream[i];
        }
    }

    public void Dispose()
    {
        _ecb.Dispose();
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_keystream);
    }
}
