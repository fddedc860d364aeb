using Mcu.Rtc.Packetization;

namespace Mcu.Rtc.Tests.Packetization;

/// <summary>Test helper: RTP payloads of one stream with the header values a sender would use.</summary>
internal sealed record RtpPayload(byte[] Payload, ushort SequenceNumber, uint Timestamp, bool Marker);

internal static class RtpPacketList
{
    /// <summary>Packetizes a frame, numbering packets from <paramref name="firstSequence"/>.</summary>
    public static List<RtpPayload> Packetize(IRtpPacketizer packetizer, ReadOnlySpan<byte> frame, ushort firstSequence, uint timestamp)
    {
        var packets = new List<RtpPayload>();
        var buffer = new byte[packetizer.MaxPayloadSize];
        packetizer.Begin(frame);
        ushort sequence = firstSequence;
        while (packetizer.TryNext(buffer, out int length, out bool marker))
        {
            Assert.InRange(length, 1, packetizer.MaxPayloadSize);
            packets.Add(new RtpPayload(buffer.AsSpan(0, length).ToArray(), sequence++, timestamp, marker));
        }
        return packets;
    }

    /// <summary>Pushes packets in order; returns the frames handed out (copied) and the last result.</summary>
    public static List<(byte[] Data, uint Timestamp, bool IsKeyframe)> PushAll(
        FrameAssembler assembler, IEnumerable<RtpPayload> packets, List<DepacketizeResult>? results = null)
    {
        var frames = new List<(byte[], uint, bool)>();
        foreach (var packet in packets)
        {
            var result = assembler.Push(packet.Payload, packet.SequenceNumber, packet.Timestamp, packet.Marker);
            results?.Add(result);
            while (assembler.TryTakeFrame(out var frame))
            {
                Assert.Equal(DepacketizeResult.FrameReady, result);
                frames.Add((frame.Data.ToArray(), frame.Timestamp, frame.IsKeyframe));
            }
        }
        return frames;
    }
}
