using System.Security.Cryptography;

namespace Mcu.Rtc.Peer;

/// <summary>The SSRCs and names of the streams we send one participant.</summary>
public sealed record LocalStreams(uint AudioSsrc, uint VideoSsrc, string Cname, string StreamId)
{
    public static LocalStreams Create()
    {
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        uint audio = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(random);
        uint video = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(random[4..]);
        if (video == audio)
        {
            video ^= 1;
        }
        return new LocalStreams(audio, video, "mcu-" + Convert.ToHexStringLower(random[..4]), "mcu");
    }
}
