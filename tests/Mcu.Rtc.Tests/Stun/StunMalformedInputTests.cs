using System.Text;
using Mcu.Rtc.Stun;

namespace Mcu.Rtc.Tests.Stun;

public class StunMalformedInputTests
{
    private static readonly byte[] ShortTermKey = Encoding.UTF8.GetBytes(Rfc5769Vectors.ShortTermPassword);

    public static TheoryData<string> VectorNames => new() { nameof(Rfc5769Vectors.Request), nameof(Rfc5769Vectors.IPv4Response), nameof(Rfc5769Vectors.IPv6Response), nameof(Rfc5769Vectors.LongTermRequest) };

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void EveryTruncationIsRejected(string name)
    {
        byte[] vector = Vector(name);
        for (int length = 0; length < vector.Length; length++)
        {
            Assert.False(StunMessage.TryParse(vector.AsSpan(0, length), out _), $"length {length}");
        }
        Assert.False(StunMessage.TryParse([.. vector, 0, 0, 0, 0], out _));
    }

    [Fact]
    public void EverySingleBitFlipIsDetected()
    {
        byte[] vector = Rfc5769Vectors.Request;
        for (int bit = 0; bit < vector.Length * 8; bit++)
        {
            byte[] flipped = (byte[])vector.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            bool accepted = StunMessage.TryParse(flipped, out StunMessage message)
                && message.VerifyMessageIntegrity(ShortTermKey)
                && message.VerifyFingerprint();
            Assert.False(accepted, $"bit {bit}");
        }
    }

    [Theory]
    [InlineData("0001000021 12a442 000000000000000000000000", true)]         // empty Binding request
    [InlineData("4001000021 12a442 000000000000000000000000", false)]        // first byte not 0..3
    [InlineData("0001000021 12a443 000000000000000000000000", false)]        // wrong magic cookie
    [InlineData("0001000221 12a442 000000000000000000000000 0000", false)]  // length not a multiple of 4
    [InlineData("0001000421 12a442 000000000000000000000000 00060005", false)] // attribute overruns message
    [InlineData("0001000821 12a442 000000000000000000000000 00060001 61000000", true)]
    [InlineData("0001001021 12a442 000000000000000000000000 80280004 00000000 00060000 00000000", false)] // FINGERPRINT not last
    [InlineData("0001000c21 12a442 000000000000000000000000 00080008 0000000000000000", false)] // short MESSAGE-INTEGRITY
    [InlineData("0001000421 12a442 000000000000000000000000 80280000", false)] // empty FINGERPRINT
    public void FramingRules(string hex, bool accepted)
    {
        byte[] datagram = Convert.FromHexString(hex.Replace(" ", ""));
        Assert.Equal(accepted, StunMessage.TryParse(datagram, out _));
    }

    [Fact]
    public void MalformedAttributeValuesAreNotDecoded()
    {
        byte[] datagram = Convert.FromHexString(
            "0001002c2112a442000000000000000000000000"
            + "00240003 01020300".Replace(" ", "")        // PRIORITY of 3 bytes
            + "80290004 01020304".Replace(" ", "")        // ICE-CONTROLLED of 4 bytes
            + "00200008 00030000 01020304".Replace(" ", "") // XOR-MAPPED-ADDRESS, family 3
            + "00090004 00000299".Replace(" ", "")        // ERROR-CODE class 2
            + "80280004 00000000".Replace(" ", ""));
        Assert.True(StunMessage.TryParse(datagram, out StunMessage message));
        Assert.False(message.TryGetPriority(out _));
        Assert.False(message.TryGetIceControlled(out _));
        Assert.False(message.TryGetXorMappedAddress(out _));
        Assert.False(message.TryGetErrorCode(out _));
        Assert.False(message.VerifyFingerprint());
        Assert.False(message.VerifyMessageIntegrity(ShortTermKey));
    }

    [Fact]
    public void RandomInputNeverThrows()
    {
        var random = new Random(5769);
        var buffer = new byte[200];
        int parsed = 0;
        for (int i = 0; i < 20_000; i++)
        {
            int length = random.Next(buffer.Length + 1);
            Span<byte> datagram = buffer.AsSpan(0, length);
            random.NextBytes(datagram);
            if (i % 2 == 0 && length >= 20)
            {
                datagram = datagram[..WriteRandomAttributeSoup(random, datagram)];
            }
            if (StunMessage.TryParse(datagram, out StunMessage message))
            {
                parsed++;
                message.TryGetUsername(out _);
                message.TryGetPriority(out _);
                message.TryGetIceControlling(out _);
                message.TryGetXorMappedAddress(out _);
                message.TryGetErrorCode(out _);
                _ = message.HasUseCandidate;
                Assert.False(message.VerifyMessageIntegrity(ShortTermKey) && message.VerifyFingerprint());
            }
        }
        Assert.True(parsed > 0, "the fuzzer never produced a parseable message");
    }

    /// <summary>A valid header followed by well-framed attributes of random (often known) types and values.</summary>
    private static int WriteRandomAttributeSoup(Random random, Span<byte> datagram)
    {
        ushort[] types =
        [
            StunAttributeType.Username, StunAttributeType.Priority, StunAttributeType.IceControlling,
            StunAttributeType.UseCandidate, StunAttributeType.XorMappedAddress, StunAttributeType.ErrorCode,
            StunAttributeType.MessageIntegrity, StunAttributeType.Fingerprint, 0x1234,
        ];
        int offset = 20;
        while (datagram.Length - offset >= 4 && random.Next(8) != 0)
        {
            int valueLength = random.Next(Math.Min(24, datagram.Length - offset - 4) + 1);
            if (offset + 4 + ((valueLength + 3) & ~3) > datagram.Length)
            {
                break;
            }
            ushort type = types[random.Next(types.Length)];
            datagram[offset] = (byte)(type >> 8);
            datagram[offset + 1] = (byte)type;
            datagram[offset + 2] = 0;
            datagram[offset + 3] = (byte)valueLength;
            offset += 4 + ((valueLength + 3) & ~3);
        }
        datagram[0] = 0;
        datagram[1] = 1;
        datagram[2] = (byte)((offset - 20) >> 8);
        datagram[3] = (byte)(offset - 20);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(datagram[4..], StunMessage.MagicCookie);
        return offset;
    }

    private static byte[] Vector(string name) => name switch
    {
        nameof(Rfc5769Vectors.Request) => Rfc5769Vectors.Request,
        nameof(Rfc5769Vectors.IPv4Response) => Rfc5769Vectors.IPv4Response,
        nameof(Rfc5769Vectors.IPv6Response) => Rfc5769Vectors.IPv6Response,
        _ => Rfc5769Vectors.LongTermRequest,
    };
}
