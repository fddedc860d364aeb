using Mcu.Rtc.Packetization;

namespace Mcu.Rtc.Tests.Packetization;

public class FrameAssemblerTests
{
    // VP8 payloads: descriptor byte (S=1, PID=0 on the first packet of a frame), then data.
    private static byte[] Vp8First(params byte[] data) => [0x10, .. data];
    private static byte[] Vp8Next(params byte[] data) => [0x00, .. data];
    private const byte Inter = 0x01; // frame tag byte with P=1; a frame needs its 3-byte tag

    [Fact]
    public void FrameWithoutMarkerEndsAtTimestampChange()
    {
        var assembler = Vp8Depacketizer.CreateAssembler();

        Assert.Equal(DepacketizeResult.NeedMore, assembler.Push(Vp8First(Inter, 2, 3), 1, 100, false));
        Assert.Equal(DepacketizeResult.NeedMore, assembler.Push(Vp8Next(4), 2, 100, false));
        Assert.Equal(DepacketizeResult.FrameReady, assembler.Push(Vp8First(Inter, 9, 9), 3, 200, false));

        Assert.True(assembler.TryTakeFrame(out var frame));
        Assert.Equal([Inter, 2, 3, 4], frame.Data.ToArray());
        Assert.Equal(100u, frame.Timestamp);
        Assert.False(assembler.TryTakeFrame(out _));
    }

    [Fact]
    public void OnePushCanFinishTwoFrames()
    {
        var assembler = Vp8Depacketizer.CreateAssembler();
        assembler.Push(Vp8First(Inter, 2, 3), 1, 100, false);

        Assert.Equal(DepacketizeResult.FrameReady, assembler.Push(Vp8First(Inter, 7, 7), 2, 200, true));

        Assert.True(assembler.TryTakeFrame(out var older));
        Assert.True(assembler.TryTakeFrame(out var newer));
        Assert.False(assembler.TryTakeFrame(out _));
        Assert.Equal([Inter, 2, 3], older.Data.ToArray());
        Assert.Equal(100u, older.Timestamp);
        Assert.Equal([Inter, 7, 7], newer.Data.ToArray());
        Assert.Equal(200u, newer.Timestamp);
    }

    [Fact]
    public void DuplicatePacketIsIgnored()
    {
        var assembler = Vp8Depacketizer.CreateAssembler();
        assembler.Push(Vp8First(Inter, 2), 7, 100, false);

        Assert.Equal(DepacketizeResult.NeedMore, assembler.Push(Vp8First(Inter, 2), 7, 100, false));
        Assert.Equal(DepacketizeResult.FrameReady, assembler.Push(Vp8Next(3), 8, 100, true));

        Assert.True(assembler.TryTakeFrame(out var frame));
        Assert.Equal([Inter, 2, 3], frame.Data.ToArray());
        Assert.Equal(1, assembler.DuplicatePackets);
    }

    [Fact]
    public void TailOfDroppedFrameIsNotTakenForANewFrame()
    {
        var assembler = Vp8Depacketizer.CreateAssembler();
        assembler.Push(Vp8First(Inter, 1), 1, 100, false);

        // Packet 2 lost; packet 3 of the same frame looks like a frame start to a careless reader (S=1, PID=0).
        Assert.Equal(DepacketizeResult.FrameDropped, assembler.Push(Vp8First(Inter, 3), 3, 100, true));
        Assert.False(assembler.TryTakeFrame(out _));
        Assert.Equal(DepacketizeResult.FrameReady, assembler.Push(Vp8First(Inter, 4, 4), 4, 200, true));
        Assert.Equal(1, assembler.FramesDropped);
    }

    [Fact]
    public void ResetForgetsFrameInProgress()
    {
        var assembler = Vp8Depacketizer.CreateAssembler();
        assembler.Push(Vp8First(Inter, 1), 1, 100, false);
        assembler.Reset();

        Assert.Equal(DepacketizeResult.FrameReady, assembler.Push(Vp8First(Inter, 5, 5), 900, 300, true));
        Assert.True(assembler.TryTakeFrame(out var frame));
        Assert.Equal([Inter, 5, 5], frame.Data.ToArray());
    }

    [Fact]
    public void FrameLargerThanLimitIsDropped()
    {
        var assembler = Vp8Depacketizer.CreateAssembler(maxFrameSize: 100);
        assembler.Push(Vp8First([Inter, .. new byte[60]]), 1, 0, false);

        Assert.Equal(DepacketizeResult.Invalid, assembler.Push(Vp8Next(new byte[60]), 2, 0, true));
        Assert.Equal(DepacketizeResult.FrameReady, assembler.Push(Vp8First(Inter, 5, 5), 3, 10, true));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RandomGarbageNeverThrowsAndNeverYieldsAnUnparsableFrame(bool vp8)
    {
        var random = new Random(vp8 ? 1 : 2);
        var assembler = vp8 ? Vp8Depacketizer.CreateAssembler(64 * 1024) : H264Depacketizer.CreateAssembler(64 * 1024);
        var buffer = new byte[1500];
        ushort sequence = 0;
        uint timestamp = 0;
        for (int i = 0; i < 50_000; i++)
        {
            int length = random.Next(0, random.Next(2) == 0 ? 8 : buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            // Mostly in order with few timestamp changes, so multi-packet frames do get assembled.
            sequence += (ushort)(random.Next(20) == 0 ? random.Next(65536) : 1);
            timestamp += random.Next(4) == 0 ? (uint)random.Next() : 0;
            var result = assembler.Push(buffer.AsSpan(0, length), sequence, timestamp, random.Next(3) == 0);

            Assert.True(Enum.IsDefined(result));
            while (assembler.TryTakeFrame(out var frame))
            {
                Assert.False(frame.Data.IsEmpty);
                Assert.True(!vp8 || Vp8FrameHeader.TryParse(frame.Data, out _));
                Assert.True(vp8 || frame.Data.StartsWith((byte[])[0, 0, 0, 1]));
            }
        }
        Assert.True(assembler.InvalidPackets > 0);
        Assert.True(assembler.FramesReady > 0);
    }

    [Fact]
    public void MutatedValidStreamNeverThrows()
    {
        var random = new Random(3);
        var assembler = H264Depacketizer.CreateAssembler();
        var packetizer = new H264Packetizer(300);
        byte[] accessUnit = [0, 0, 0, 1, 0x67, 0x42, 0x80, 0, 0, 0, 1, 0x68, 0xCE, 0, 0, 0, 1, 0x65, 0x88, .. Enumerable.Repeat((byte)0x55, 2000)];
        var packets = new List<RtpPayload>();
        for (int f = 0; f < 200; f++)
        {
            packets.AddRange(RtpPacketList.Packetize(packetizer, accessUnit, (ushort)packets.Count, (uint)(f * 3000)));
        }
        int ready = 0;
        foreach (var packet in packets)
        {
            var payload = packet.Payload;
            if (random.Next(5) == 0)
            {
                payload[random.Next(payload.Length)] ^= (byte)(1 << random.Next(8));
            }
            if (random.Next(5) == 0)
            {
                payload = payload[..random.Next(payload.Length)];
            }
            if (assembler.Push(payload, packet.SequenceNumber, packet.Timestamp, packet.Marker) == DepacketizeResult.FrameReady)
            {
                ready++;
            }
        }
        Assert.True(ready > 0);
        Assert.True(assembler.FramesDropped > 0);
    }
}
