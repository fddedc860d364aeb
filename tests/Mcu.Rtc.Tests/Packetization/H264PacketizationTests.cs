using Mcu.Rtc.Packetization;

namespace Mcu.Rtc.Tests.Packetization;

public class H264PacketizationTests
{
    private static readonly byte[] Sps = [0x67, 0x42, 0xC0, 0x1F, 0xDA, 0x01, 0x40, 0x16, 0xE8];
    private static readonly byte[] Pps = [0x68, 0xCE, 0x3C, 0x80];

    /// <summary>A NAL with no zero bytes after its header, so no start code can be emulated.</summary>
    private static byte[] Nal(byte header, int length, bool firstSliceOfPicture = true, int seed = 7)
    {
        var random = new Random(seed);
        var nal = new byte[length];
        for (int i = 1; i < length; i++)
        {
            nal[i] = (byte)random.Next(1, 256);
        }
        nal[0] = header;
        if (length > 1)
        {
            nal[1] = firstSliceOfPicture ? (byte)(nal[1] | 0x80) : (byte)(nal[1] & 0x7F | 0x01);
        }
        return nal;
    }

    private static byte[] Idr(int length, int seed = 7) => Nal(0x65, length, seed: seed);
    private static byte[] NonIdr(int length, int seed = 8) => Nal(0x41, length, seed: seed);

    private static byte[] AnnexB(params byte[][] nals) =>
        nals.SelectMany(n => new byte[] { 0, 0, 0, 1 }.Concat(n)).ToArray();

    private static byte[] StapA(params byte[][] nals) =>
        new byte[] { 0x78 }.Concat(nals.SelectMany(n => new[] { (byte)(n.Length >> 8), (byte)n.Length }.Concat(n))).ToArray();

    private static byte[] FuA(byte nalHeader, bool start, bool end, ReadOnlySpan<byte> body) =>
        [(byte)(nalHeader & 0xE0 | 28), (byte)((start ? 0x80 : 0) | (end ? 0x40 : 0) | (nalHeader & 0x1F)), .. body];

    [Theory]
    [InlineData(1200)]
    [InlineData(3)]
    [InlineData(14)]
    [InlineData(100)]
    [InlineData(60_000)]
    public void AccessUnitRoundTrips(int maxPayloadSize)
    {
        var accessUnit = AnnexB(Sps, Pps, Idr(5000), Idr(700, seed: 9));
        var packets = RtpPacketList.Packetize(new H264Packetizer(maxPayloadSize), accessUnit, 65000, 90_000);

        Assert.All(packets, p => Assert.True(p.Payload.Length <= maxPayloadSize));
        Assert.Equal(packets.Count - 1, packets.FindIndex(p => p.Marker));
        var frames = RtpPacketList.PushAll(H264Depacketizer.CreateAssembler(), packets);

        var (data, timestamp, isKeyframe) = Assert.Single(frames);
        Assert.Equal(accessUnit, data);
        Assert.Equal(90_000u, timestamp);
        Assert.True(isKeyframe);
    }

    [Fact]
    public void PacketizerSendsSpsAndPpsInOneStapAAndLargeSliceAsFuA()
    {
        var idr = Idr(3000);
        var packets = RtpPacketList.Packetize(new H264Packetizer(1200), AnnexB(Sps, Pps, idr), 0, 0);

        Assert.Equal(StapA(Sps, Pps).Skip(1), packets[0].Payload.Skip(1));
        Assert.Equal(24, packets[0].Payload[0] & 0x1F);
        Assert.Equal(0x60, packets[0].Payload[0] & 0x60); // NRI = max of SPS and PPS
        Assert.Equal(4, packets.Count); // STAP-A + three FU-A fragments of 2999 body bytes
        Assert.All(packets.Skip(1), p => Assert.Equal(28, p.Payload[0] & 0x1F));
        Assert.Equal(0x85, packets[1].Payload[1]); // S, type 5
        Assert.Equal(0x05, packets[2].Payload[1]);
        Assert.Equal(0x45, packets[3].Payload[1]); // E, type 5
    }

    [Fact]
    public void ThreeByteStartCodesAndTrailingZerosBecomeFourByteStartCodes()
    {
        var slice = NonIdr(50);
        byte[] input = [0, 0, 1, .. Pps, 0, 0, 0, 0, 1, .. slice, 0, 0];
        var packets = RtpPacketList.Packetize(new H264Packetizer(1200), input, 0, 0);

        var (data, _, isKeyframe) = Assert.Single(RtpPacketList.PushAll(H264Depacketizer.CreateAssembler(), packets));
        Assert.Equal(AnnexB(Pps, slice), data);
        Assert.False(isKeyframe);
    }

    [Fact]
    public void FuAReassemblesAcrossStartMiddleEnd()
    {
        var idr = Idr(31);
        var assembler = H264Depacketizer.CreateAssembler();

        Assert.Equal(DepacketizeResult.NeedMore, assembler.Push(StapA(Sps, Pps), 1, 5, false));
        Assert.Equal(DepacketizeResult.NeedMore, assembler.Push(FuA(idr[0], true, false, idr.AsSpan(1, 10)), 2, 5, false));
        Assert.Equal(DepacketizeResult.NeedMore, assembler.Push(FuA(idr[0], false, false, idr.AsSpan(11, 10)), 3, 5, false));
        Assert.Equal(DepacketizeResult.FrameReady, assembler.Push(FuA(idr[0], false, true, idr.AsSpan(21, 10)), 4, 5, true));

        Assert.True(assembler.TryTakeFrame(out var frame));
        Assert.Equal(AnnexB(Sps, Pps, idr), frame.Data.ToArray());
        Assert.True(frame.IsKeyframe);
    }

    [Fact]
    public void FuAWithLostMiddleIsDroppedAndNextFrameIsFine()
    {
        var slice = NonIdr(31);
        var next = NonIdr(20, seed: 3);
        var assembler = H264Depacketizer.CreateAssembler();

        assembler.Push(FuA(slice[0], true, false, slice.AsSpan(1, 10)), 1, 5, false);
        Assert.Equal(DepacketizeResult.FrameDropped, assembler.Push(FuA(slice[0], false, true, slice.AsSpan(21, 10)), 3, 5, true));
        Assert.Equal(DepacketizeResult.FrameReady, assembler.Push(next, 4, 10, true));

        Assert.True(assembler.TryTakeFrame(out var frame));
        Assert.Equal(AnnexB(next), frame.Data.ToArray());
        Assert.Equal(10u, frame.Timestamp);
    }

    [Fact]
    public void FuAWithoutEndBitIsNotHandedOut()
    {
        var slice = NonIdr(31);
        var assembler = H264Depacketizer.CreateAssembler();

        assembler.Push(FuA(slice[0], true, false, slice.AsSpan(1, 10)), 1, 5, false);
        Assert.Equal(DepacketizeResult.FrameDropped, assembler.Push(FuA(slice[0], false, false, slice.AsSpan(11, 10)), 2, 5, true));
        Assert.False(assembler.TryTakeFrame(out _));
    }

    [Fact]
    public void IdrWithoutParameterSetsGetsTheKeptOnesPrepended()
    {
        var idr = Idr(200);
        var aud = new byte[] { 0x09, 0xF0 };
        var assembler = H264Depacketizer.CreateAssembler();
        RtpPacketList.PushAll(assembler, [new RtpPayload(StapA(Sps, Pps), 1, 0, false), new RtpPayload(Idr(50, 1), 2, 0, true)]);
        var newerPps = new byte[] { 0x68, 0xEE, 0x3C, 0x80 };
        RtpPacketList.PushAll(assembler, [new RtpPayload(newerPps, 3, 3000, false), new RtpPayload(NonIdr(40), 4, 3000, true)]);

        var frames = RtpPacketList.PushAll(assembler, [new RtpPayload(aud, 5, 6000, false), new RtpPayload(idr, 6, 6000, true)]);

        var (data, _, isKeyframe) = Assert.Single(frames);
        Assert.Equal(AnnexB(aud, Sps, newerPps, idr), data);
        Assert.True(isKeyframe);
    }

    [Fact]
    public void IdrWithItsOwnSpsGetsOnlyThePpsInserted()
    {
        var idr = Idr(100);
        var assembler = H264Depacketizer.CreateAssembler();
        RtpPacketList.PushAll(assembler, [new RtpPayload(StapA(Sps, Pps), 1, 0, false), new RtpPayload(Idr(50, 1), 2, 0, true)]);

        var frames = RtpPacketList.PushAll(assembler, [new RtpPayload(Sps, 3, 3000, false), new RtpPayload(idr, 4, 3000, true)]);

        Assert.Equal(AnnexB(Sps, Pps, idr), Assert.Single(frames).Data);
    }

    [Fact]
    public void IdrWithNoParameterSetsEverIsNotAKeyframe()
    {
        var idr = Idr(100);
        var frames = RtpPacketList.PushAll(H264Depacketizer.CreateAssembler(), [new RtpPayload(idr, 1, 0, true)]);

        var (data, _, isKeyframe) = Assert.Single(frames);
        Assert.Equal(AnnexB(idr), data);
        Assert.False(isKeyframe);
    }

    [Fact]
    public void SliceThatIsNotFirstInPictureDoesNotStartAFrame()
    {
        var secondSlice = Nal(0x41, 30, firstSliceOfPicture: false);
        var assembler = H264Depacketizer.CreateAssembler();

        Assert.Equal(DepacketizeResult.FrameDropped, assembler.Push(secondSlice, 1, 0, true));
        Assert.Equal(1, assembler.FramesDropped);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x01 })]             // type 0
    [InlineData(new byte[] { 0xE5, 0x88 })]             // forbidden bit
    [InlineData(new byte[] { 0x79, 0x00, 0x02, 0x67 })] // STAP-B
    [InlineData(new byte[] { 0x78 })]                   // empty STAP-A
    [InlineData(new byte[] { 0x78, 0x00, 0x05, 0x67 })] // STAP-A size past the end
    [InlineData(new byte[] { 0x78, 0x00, 0x00 })]       // STAP-A zero size
    [InlineData(new byte[] { 0x78, 0x00, 0x01, 0x78 })] // STAP-A nested aggregate
    [InlineData(new byte[] { 0x7C, 0xC5, 0x01 })]       // FU-A with S and E
    [InlineData(new byte[] { 0x7C, 0x85 })]             // FU-A without body
    [InlineData(new byte[] { 0x7C, 0x98, 0x01 })]       // FU-A of type 24
    [InlineData(new byte[] { 0x7D, 0x85, 0x01, 0x02 })] // FU-B
    public void MalformedPayloadsAreInvalid(byte[] payload)
    {
        var assembler = H264Depacketizer.CreateAssembler();
        Assert.Equal(DepacketizeResult.Invalid, assembler.Push(payload, 1, 0, true));
        Assert.False(assembler.TryTakeFrame(out _));
        Assert.Equal(1, assembler.InvalidPackets);
    }

    [Fact]
    public void PacketizerRejectsInputWithoutStartCode() =>
        Assert.Throws<ArgumentException>(() => new H264Packetizer(1200).Begin(new byte[] { 0x65, 0x88 }));
}
