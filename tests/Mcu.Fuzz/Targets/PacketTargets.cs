using System.Net;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Rtcp;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Stun;

namespace Mcu.Fuzz.Targets;

/// <summary>Datagram parsers: the whole input is one UDP payload.</summary>
internal static class PacketTargets
{
    private static readonly IPEndPoint Remote = new(IPAddress.Loopback, 5000);

    public static void Stun(byte[] data)
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

    /// <summary>What the server does with a STUN datagram: the ICE-lite agent, credentials of the seeds.</summary>
    public static void IceLite(byte[] data)
    {
        using var agent = new IceLiteAgent(new IceCredentials("abcd", "0123456789012345678901"), new IceCredentials("wxyz", "0123456789012345678901"));
        Span<byte> response = stackalloc byte[IceLiteAgent.MaxResponseLength];
        agent.HandleStun(data, Remote, 0, response, out _);
    }

    public static void Rtp(byte[] data)
    {
        if (RtpPacket.TryParse(data, out var rtp))
        {
            for (int id = 1; id < 15; id++)
            {
                rtp.TryGetExtension(id, out _);
            }
            if (rtp.Payload.Length > data.Length)
            {
                throw new FuzzInvariantException("payload longer than the packet");
            }
        }
    }

    /// <summary>An RTCP compound packet, every part through every parser that could claim it.</summary>
    public static void Rtcp(byte[] data)
    {
        var reader = new RtcpCompoundReader(data);
        while (reader.TryReadNext(out _, out var packet))
        {
            SenderReport.TryParse(packet, out _);
            ReceiverReport.TryParse(packet, out _);
            SourceDescription.TryParse(packet, out _);
            Goodbye.TryParse(packet, out _);
            PictureLossIndication.TryParse(packet, out _);
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
}
