using Mcu.Rtc.Packetization;

namespace Mcu.Rtc.Tests.Packetization;

public class Vp8PayloadDescriptorTests
{
    [Fact]
    public void ParsesMinimalDescriptor()
    {
        Assert.True(Vp8PayloadDescriptor.TryParse([0x10, 0xAA], out var d));
        Assert.False(d.IsExtended);
        Assert.True(d.IsStartOfPartition);
        Assert.Equal(0, d.PartitionIndex);
        Assert.True(d.IsStartOfFrame);
        Assert.False(d.HasPictureId);
        Assert.Equal(1, d.SerializedLength);
    }

    [Fact]
    public void ParsesAllExtensionsWith15BitPictureId()
    {
        // X=1 N=1 S=0 PID=3 | I L T K | M=1 PictureID=0x1234 | TL0PICIDX=0x56 | TID=2 Y=1 KEYIDX=0x11
        byte[] bytes = [0xA3, 0xF0, 0x80 | 0x12, 0x34, 0x56, (2 << 6) | 0x20 | 0x11, 0xFF];
        Assert.True(Vp8PayloadDescriptor.TryParse(bytes, out var d));
        Assert.True(d.IsNonReference);
        Assert.False(d.IsStartOfPartition);
        Assert.Equal(3, d.PartitionIndex);
        Assert.True(d.HasPictureId);
        Assert.True(d.HasLongPictureId);
        Assert.Equal(0x1234, d.PictureId);
        Assert.True(d.HasTl0PicIdx);
        Assert.Equal(0x56, d.Tl0PicIdx);
        Assert.True(d.HasTemporalLayerId);
        Assert.Equal(2, d.TemporalLayerId);
        Assert.True(d.IsLayerSync);
        Assert.True(d.HasKeyIndex);
        Assert.Equal(0x11, d.KeyIndex);
        Assert.Equal(6, d.SerializedLength);
    }

    [Fact]
    public void Parses7BitPictureIdAndKeyIndexAlone()
    {
        byte[] bytes = [0x90, 0x90, 0x7F, 0x05];
        Assert.True(Vp8PayloadDescriptor.TryParse(bytes, out var d));
        Assert.False(d.HasLongPictureId);
        Assert.Equal(0x7F, d.PictureId);
        Assert.False(d.HasTemporalLayerId);
        Assert.Equal(5, d.KeyIndex);
        Assert.Equal(4, d.SerializedLength);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0x80, 0x80 })]
    [InlineData(new byte[] { 0x80, 0x80, 0x80 })]
    [InlineData(new byte[] { 0x80, 0xC0, 0x01 })]
    [InlineData(new byte[] { 0x80, 0x10 })]
    public void RejectsTruncatedDescriptors(byte[] bytes) =>
        Assert.False(Vp8PayloadDescriptor.TryParse(bytes, out _));

    [Theory]
    [InlineData(false, true, 0, null, true, null, null, false, null)]
    [InlineData(true, false, 5, 0x7ABC, true, (byte)9, 1, true, null)]
    [InlineData(false, true, 0, 0x33, false, null, null, false, 7)]
    [InlineData(false, false, 2, null, true, null, 3, false, 31)]
    public void WriteThenParseRoundTrips(bool n, bool s, int pid, int? pictureId, bool longId, byte? tl0, int? tid, bool y, int? keyIdx)
    {
        var written = new Vp8PayloadDescriptor(n, s, pid, pictureId, longId, tl0, tid, y, keyIdx);
        var buffer = new byte[Vp8PayloadDescriptor.MaxLength];
        int length = written.WriteTo(buffer);
        Assert.Equal(written.SerializedLength, length);

        Assert.True(Vp8PayloadDescriptor.TryParse(buffer.AsSpan(0, length), out var parsed));
        Assert.Equal(length, parsed.SerializedLength);
        Assert.Equal(n, parsed.IsNonReference);
        Assert.Equal(s, parsed.IsStartOfPartition);
        Assert.Equal(pid, parsed.PartitionIndex);
        Assert.Equal(pictureId.HasValue, parsed.HasPictureId);
        Assert.Equal(pictureId ?? 0, parsed.PictureId);
        Assert.Equal(tl0.HasValue, parsed.HasTl0PicIdx);
        Assert.Equal(tl0 ?? 0, parsed.Tl0PicIdx);
        Assert.Equal(tid.HasValue, parsed.HasTemporalLayerId);
        Assert.Equal(tid ?? 0, parsed.TemporalLayerId);
        Assert.Equal(y, parsed.IsLayerSync);
        Assert.Equal(keyIdx.HasValue, parsed.HasKeyIndex);
        Assert.Equal(keyIdx ?? 0, parsed.KeyIndex);
    }
}
