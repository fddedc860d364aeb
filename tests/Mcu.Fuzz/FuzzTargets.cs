using System.Net;
using System.Text;
using Mcu.Conference.Layouts;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Packetization;
using Mcu.Rtc.Rtcp;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Sdp;
using Mcu.Rtc.Srtp;
using Mcu.Rtc.Stun;

namespace Mcu.Fuzz;

/// <summary>
/// One target per thing that reads bytes from the outside. A target may reject its input
/// in any documented way (false, a parse exception of its own type); anything else it
/// throws, or a hang, is a bug.
/// </summary>
public static class FuzzTargets
{
    private static readonly IPEndPoint Remote = new(IPAddress.Loopback, 5000);

    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["stun"] = Stun,
        ["ice-lite"] = IceLite,
        ["rtp"] = Rtp,
        ["rtcp"] = Rtcp,
        ["srtp"] = Srtp,
        ["sdp"] = Sdp,
        ["vp8"] = data => Depacketize(Vp8Depacketizer.CreateAssembler(64 * 1024), data),
        ["h264"] = data => Depacketize(H264Depacketizer.CreateAssembler(64 * 1024), data),
        ["jitter"] = Jitter,
        ["layout"] = Layout,
    };

    private static void Stun(byte[] data)
    {
        if (StunMessage.TryParse(data, out var message))
        {
            message.VerifyMessageIntegrity("key"u8);
            message.VerifyFingerprint();
            message.TryGetUsername(out _);
            message.TryGetXorMappedAddress(out _);
            message.TryGetErrorCode(out _);
        }
    }

    private static void IceLite(byte[] data)
    {
        using var agent = new IceLiteAgent(new IceCredentials("abcd", "0123456789012345678901"), new IceCredentials("wxyz", "0123456789012345678901"));
        Span<byte> response = stackalloc byte[IceLiteAgent.MaxResponseLength];
        agent.HandleStun(data, Remote, 0, response, out _);
    }

    private static void Rtp(byte[] data)
    {
        if (RtpPacket.TryParse(data, out var rtp))
        {
            for (int id = 1; id < 15; id++)
            {
                rtp.TryGetExtension(id, out _);
            }
        }
    }

    private static void Rtcp(byte[] data)
    {
        var reader = new RtcpCompoundReader(data);
        while (reader.TryReadNext(out var header, out var packet))
        {
            SenderReport.TryParse(packet, out _);
            ReceiverReport.TryParse(packet, out _);
            SourceDescription.TryParse(packet, out _);
            Goodbye.TryParse(packet, out _);
            if (GenericNack.TryParse(packet, out var nack))
            {
                foreach (ushort _ in nack.GetLostSequenceNumbers())
                {
                }
            }
            ReceiverEstimatedMaxBitrate.TryParse(packet, out _);
            FullIntraRequest.TryParse(packet, out _);
            if (TransportCcFeedback.TryParse(packet, out var feedback))
            {
                foreach (var _ in feedback.GetPacketStatuses())
                {
                }
            }
        }
    }

    private static void Srtp(byte[] data)
    {
        using var context = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, new byte[16], new byte[14]);
        var copy = (byte[])data.Clone();
        context.TryUnprotectRtp(copy, out _);
        copy = (byte[])data.Clone();
        context.TryUnprotectRtcp(copy, out _);
    }

    private static void Sdp(byte[] data)
    {
        if (!SessionDescription.TryParse(Encoding.UTF8.GetString(data), out var offer, out _))
        {
            return;
        }
        try
        {
            SdpAnswerBuilder.Create(offer!, new AnswerOptions
            {
                IceUfrag = "abcd",
                IcePassword = "0123456789012345678901",
                Fingerprint = new SdpFingerprint("sha-256", "00:11"),
                Candidates = [Remote],
            });
        }
        catch (SdpNegotiationException)
        {
            // A clear refusal is a correct answer to a bad offer.
        }
    }

    /// <summary>The input is cut into packets: 2 bytes length, 2 bytes sequence number, 1 byte flags, payload.</summary>
    private static void Depacketize(FrameAssembler assembler, byte[] data)
    {
        int offset = 0;
        while (offset + 5 <= data.Length)
        {
            int length = Math.Min(data.Length - offset - 5, (data[offset] << 8 | data[offset + 1]) & 0x7FF);
            ushort seq = (ushort)(data[offset + 2] << 8 | data[offset + 3]);
            byte flags = data[offset + 4];
            var payload = data.AsSpan(offset + 5, length);
            assembler.Push(payload, seq, (uint)(flags >> 1), marker: (flags & 1) != 0);
            while (assembler.TryTakeFrame(out var frame))
            {
                _ = frame.Data.Length;
            }
            offset += 5 + length;
        }
    }

    /// <summary>Sequence numbers and times from the input, in pairs of 2 bytes.</summary>
    private static void Jitter(byte[] data)
    {
        var buffer = new JitterBuffer();
        Span<ushort> nacks = stackalloc ushort[64];
        long now = 0;
        for (int i = 0; i + 3 < data.Length; i += 4)
        {
            ushort seq = (ushort)(data[i] << 8 | data[i + 1]);
            now += data[i + 2];
            buffer.Insert(data.AsSpan(i, 4), seq, now);
            buffer.CollectNacks(now, nacks);
            while (buffer.TryDequeue(now, out _))
            {
            }
        }
    }

    private static void Layout(byte[] data)
    {
        try
        {
            LayoutTemplate.Parse(Encoding.UTF8.GetString(data));
        }
        catch (LayoutTemplateException)
        {
            // The documented refusal.
        }
    }
}
