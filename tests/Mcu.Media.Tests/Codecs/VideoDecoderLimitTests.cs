using System.Buffers.Binary;
using Mcu.Media.Codecs;

namespace Mcu.Media.Tests.Codecs;

/// <summary>A decoder made with a size limit refuses bigger pictures instead of allocating them.</summary>
public class VideoDecoderLimitTests
{
    private static byte[] EncodeKeyframe(VideoCodec codec, int width, int height)
    {
        byte[]? keyframe = null;
        using var encoder = new VideoEncoder(codec, width, height, 30, 800);
        var frame = TestPattern.Draw(width, height, 0);
        encoder.Encode(frame, true, (data, key, _) => keyframe ??= data.ToArray());
        frame.Release();
        return keyframe!;
    }

    [Theory]
    [InlineData(VideoCodec.Vp8)]
    [InlineData(VideoCodec.H264)]
    public void A_picture_over_the_limit_is_an_error_and_one_within_it_decodes(VideoCodec codec)
    {
        byte[] keyframe = EncodeKeyframe(codec, 640, 360);

        using var small = new VideoDecoder(codec, 320, 240);
        Assert.Null(small.Decode(keyframe, 0, out string? error));
        Assert.NotNull(error);

        using var enough = new VideoDecoder(codec, 640, 360);
        var picture = enough.Decode(keyframe, 0, out error);
        Assert.Null(error);
        Assert.NotNull(picture);
        Assert.Equal((640, 360), (picture.Width, picture.Height));
        picture.Release();
    }

    [Fact]
    public void A_vp8_keyframe_rewritten_to_declare_16000x16000_is_refused_without_allocating_it()
    {
        byte[] keyframe = EncodeKeyframe(VideoCodec.Vp8, 160, 96);
        // RFC 6386 §9.1: width and height are 14-bit little-endian fields at bytes 6 and 8.
        BinaryPrimitives.WriteUInt16LittleEndian(keyframe.AsSpan(6), 16000);
        BinaryPrimitives.WriteUInt16LittleEndian(keyframe.AsSpan(8), 16000);
        using var decoder = new VideoDecoder(VideoCodec.Vp8, 1920, 1080);

        long before = GC.GetTotalMemory(false);
        var picture = decoder.Decode(keyframe, 0, out string? error);

        Assert.Null(picture);
        Assert.NotNull(error);
        // No 384 MB I420 pool was made for it (the native side is held by max_pixels).
        Assert.True(GC.GetTotalMemory(false) - before < 50_000_000);
    }
}
