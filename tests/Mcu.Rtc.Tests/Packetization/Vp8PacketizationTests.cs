using Mcu.Rtc.Packetization;

namespace Mcu.Rtc.Tests.Packetization;

public class Vp8PacketizationTests
{
    [Theory]
    [InlineData(1200)]
    [InlineData(5)]
    [InlineData(17)]
    [InlineData(9000)]
    public void KeyframeRoundTripsWithSizeAndKeyframeFlag(int maxPayloadSize)
    {
        var keyframe = Vp8FrameHeaderTests.Keyframe(1280, 720, 7_000);
        var packets = RtpPacketList.Packetize(new Vp8Packetizer(maxPayloadSize), keyframe, 100, 9000);

        var frames = RtpPacketList.PushAll(Vp8Depacketizer.CreateAssembler(), packets);

        var (data, timestamp, isKeyframe) = Assert.Single(frames);
        Assert.Equal(keyframe, data);
        Assert.Equal(9000u, timestamp);
        Assert.True(isKeyframe);
        Assert.True(Vp8FrameHeader.TryParse(data, out var header));
        Assert.Equal((1280, 720), (header.Width, header.Height));
    }

    [Fact]
    public void RandomPayloadSizesRoundTripManyFrames()
    {
        var random = new Random(42);
        for (int trial = 0; trial < 50; trial++)
        {
            int maxPayloadSize = random.Next(5, 1500);
            var packetizer = new Vp8Packetizer(maxPayloadSize, (ushort)random.Next(0, 0x8000));
            var assembler = Vp8Depacketizer.CreateAssembler();
            ushort sequence = (ushort)random.Next(0, 65536);
            var sent = new List<byte[]>();
            var packets = new List<RtpPayload>();
            for (int f = 0; f < 4; f++)
            {
                var frame = f == 0
                    ? Vp8FrameHeaderTests.Keyframe(random.Next(1, 4000), random.Next(1, 4000), random.Next(10, 20_000), trial)
                    : Vp8FrameHeaderTests.Interframe(random.Next(3, 20_000), trial * 10 + f);
                sent.Add(frame);
                var framePackets = RtpPacketList.Packetize(packetizer, frame, sequence, (uint)(f * 3000));
                sequence += (ushort)framePackets.Count;
                packets.AddRange(framePackets);
            }

            var received = RtpPacketList.PushAll(assembler, packets);

            Assert.Equal(sent.Count, received.Count);
            for (int f = 0; f < sent.Count; f++)
            {
                Assert.Equal(sent[f], received[f].Data);
                Assert.Equal(f == 0, received[f].IsKeyframe);
            }
            Assert.Equal(0, assembler.FramesDropped);
        }
    }

    [Fact]
    public void PayloadsRespectLimitAndCarryDescriptorBits()
    {
        var packetizer = new Vp8Packetizer(1000, initialPictureId: 0x7FFF);
        var frame = Vp8FrameHeaderTests.Interframe(2500);
        var packets = RtpPacketList.Packetize(packetizer, frame, 0, 0);

        Assert.Equal(3, packets.Count);
        Assert.Equal([false, false, true], packets.Select(p => p.Marker));
        for (int i = 0; i < packets.Count; i++)
        {
            Assert.True(packets[i].Payload.Length <= 1000);
            Assert.True(Vp8PayloadDescriptor.TryParse(packets[i].Payload, out var d));
            Assert.Equal(i == 0, d.IsStartOfPartition);
            Assert.Equal(0, d.PartitionIndex);
            Assert.True(d.HasLongPictureId);
            Assert.Equal(0x7FFF, d.PictureId);
        }
        // Balanced split: 2500 bytes in three packets of 834, 833, 833 data bytes.
        Assert.Equal([838, 837, 837], packets.Select(p => p.Payload.Length));

        var next = RtpPacketList.Packetize(packetizer, frame, 3, 3000);
        Assert.True(Vp8PayloadDescriptor.TryParse(next[0].Payload, out var wrapped));
        Assert.Equal(0, wrapped.PictureId); // 15-bit wrap
    }

    [Fact]
    public void LostMiddlePacketDropsFrameAndNextFrameSurvives()
    {
        var packetizer = new Vp8Packetizer(500);
        var first = Vp8FrameHeaderTests.Keyframe(320, 240, 3000);
        var second = Vp8FrameHeaderTests.Interframe(1800);
        var packets = RtpPacketList.Packetize(packetizer, first, 65530, 1000);
        packets.AddRange(RtpPacketList.Packetize(packetizer, second, 0, 4000));
        // One sequence numbering across both frames, wrapping through 65535; then lose the fourth packet.
        packets = packets.Select((p, i) => p with { SequenceNumber = (ushort)(65530 + i) }).ToList();
        packets.RemoveAt(3);

        var assembler = Vp8Depacketizer.CreateAssembler();
        var results = new List<DepacketizeResult>();
        var frames = RtpPacketList.PushAll(assembler, packets, results);

        Assert.Equal(DepacketizeResult.FrameDropped, results[3]);
        var (data, timestamp, isKeyframe) = Assert.Single(frames);
        Assert.Equal(second, data);
        Assert.Equal(4000u, timestamp);
        Assert.False(isKeyframe);
        Assert.Equal(1, assembler.FramesDropped);
    }

    [Fact]
    public void LostFirstPacketDropsFrame()
    {
        var packetizer = new Vp8Packetizer(400);
        var packets = RtpPacketList.Packetize(packetizer, Vp8FrameHeaderTests.Interframe(1000), 10, 0);
        var assembler = Vp8Depacketizer.CreateAssembler();

        var frames = RtpPacketList.PushAll(assembler, packets.Skip(1));

        Assert.Empty(frames);
        Assert.Equal(1, assembler.FramesDropped);
    }

    [Fact]
    public void LostMarkerPacketDropsFrameWhenNextFrameArrives()
    {
        var packetizer = new Vp8Packetizer(400);
        var frame1 = Vp8FrameHeaderTests.Interframe(1000, 5);
        var frame2 = Vp8FrameHeaderTests.Interframe(300, 6);
        var packets = RtpPacketList.Packetize(packetizer, frame1, 10, 0);
        packets.RemoveAt(packets.Count - 1);
        packets.AddRange(RtpPacketList.Packetize(packetizer, frame2, 13, 3000));
        var assembler = Vp8Depacketizer.CreateAssembler();
        var results = new List<DepacketizeResult>();

        var frames = RtpPacketList.PushAll(assembler, packets, results);

        var (data, _, _) = Assert.Single(frames);
        Assert.Equal(frame2, data);
        Assert.Equal(1, assembler.FramesDropped);
    }

    [Fact]
    public void PictureIdChangeInsideFrameIsInvalid()
    {
        var assembler = Vp8Depacketizer.CreateAssembler();
        byte[] start = [0x90, 0x80, 0x80, 0x01, 0x01, 0x02, 0x03];
        byte[] middle = [0x80, 0x80, 0x80, 0x02, 0x04];

        Assert.Equal(DepacketizeResult.NeedMore, assembler.Push(start, 1, 0, false));
        Assert.Equal(DepacketizeResult.Invalid, assembler.Push(middle, 2, 0, true));
        Assert.False(assembler.TryTakeFrame(out _));
    }
}
