using Mcu.Rtc.Packetization;

namespace Mcu.Rtc.Tests.Packetization;

/// <summary>The picture size read from an SPS before decoding (H.264 §7.3.2.1.1).</summary>
public class H264SpsSizeTests
{
    /// <summary>Writes an SPS bit by bit, with emulation prevention, as an encoder would.</summary>
    internal sealed class SpsWriter
    {
        private readonly List<int> _bits = [];

        public SpsWriter Bits(int value, int count)
        {
            for (int i = count - 1; i >= 0; i--)
            {
                _bits.Add((value >> i) & 1);
            }
            return this;
        }

        public SpsWriter Ue(int value)
        {
            int v = value + 1;
            int length = 32 - int.LeadingZeroCount(v);
            return Bits(0, length - 1).Bits(v, length);
        }

        public byte[] Nal()
        {
            var bits = new List<int>(_bits) { 1 };                 // rbsp_stop_one_bit
            while (bits.Count % 8 != 0)
            {
                bits.Add(0);
            }
            var rbsp = new List<byte>();
            for (int i = 0; i < bits.Count; i += 8)
            {
                rbsp.Add((byte)Enumerable.Range(0, 8).Aggregate(0, (acc, j) => (acc << 1) | bits[i + j]));
            }
            var nal = new List<byte> { 0x67 };
            int zeros = 0;
            foreach (byte b in rbsp)
            {
                if (zeros >= 2 && b <= 3)
                {
                    nal.Add(3);
                    zeros = 0;
                }
                nal.Add(b);
                zeros = b == 0 ? zeros + 1 : 0;
            }
            return nal.ToArray();
        }

        /// <summary>A constrained-baseline SPS for a picture of this many macroblocks, cropped as given.</summary>
        public static byte[] Baseline(int widthMbs, int heightMbs, int cropRight = 0, int cropBottom = 0)
        {
            var w = new SpsWriter().Bits(66, 8).Bits(0xC0, 8).Bits(31, 8).Ue(0)
                .Ue(0)                 // log2_max_frame_num_minus4
                .Ue(2)                 // pic_order_cnt_type
                .Ue(1).Bits(0, 1)      // max_num_ref_frames, gaps
                .Ue(widthMbs - 1).Ue(heightMbs - 1)
                .Bits(1, 1)            // frame_mbs_only
                .Bits(1, 1);           // direct_8x8_inference
            if (cropRight > 0 || cropBottom > 0)
            {
                w.Bits(1, 1).Ue(0).Ue(cropRight).Ue(0).Ue(cropBottom);
            }
            else
            {
                w.Bits(0, 1);
            }
            return w.Bits(0, 1).Nal();  // vui_parameters_present_flag
        }
    }

    [Theory]
    [InlineData(10, 6, 0, 0, 160, 96)]
    [InlineData(120, 68, 0, 4, 1920, 1080)]     // 1088 coded, 8 lines cropped (crop unit 2)
    [InlineData(1000, 1000, 0, 0, 16000, 16000)]
    public void Reads_the_cropped_size(int widthMbs, int heightMbs, int cropRight, int cropBottom, int width, int height)
    {
        byte[] sps = SpsWriter.Baseline(widthMbs, heightMbs, cropRight, cropBottom);

        Assert.True(H264SpsSize.TryRead(sps, out int w, out int h));
        Assert.Equal((width, height), (w, h));

        byte[] accessUnit = [0, 0, 0, 1, .. sps, 0, 0, 0, 1, 0x68, 0xCE, 0x38, 0x80, 0, 0, 1, 0x65, 0x88, 0x84];
        Assert.True(H264SpsSize.TryReadFromAccessUnit(accessUnit, out w, out h));
        Assert.Equal((width, height), (w, h));
    }

    [Fact]
    public void A_high_profile_sps_with_scaling_lists_is_read()
    {
        var sps = new SpsWriter().Bits(100, 8).Bits(0, 8).Bits(40, 8).Ue(0)
            .Ue(1).Ue(0).Ue(0).Bits(0, 1)          // 4:2:0, 8-bit, no bypass
            .Bits(1, 1)                            // seq_scaling_matrix_present
            .Bits(1, 1).Ue(1).Ue(2).Ue(0).Ue(0).Ue(0).Ue(0).Ue(0).Ue(0).Ue(0).Ue(0).Ue(0).Ue(0).Ue(0).Ue(0).Ue(0).Ue(0) // list 0: 16 deltas
            .Bits(0, 7)                            // lists 1..7 absent
            .Ue(0).Ue(0).Ue(0)                     // frame num, poc type 0, its lsb
            .Ue(4).Bits(0, 1).Ue(79).Ue(44).Bits(1, 1).Bits(1, 1).Bits(0, 1).Bits(0, 1)
            .Nal();

        Assert.True(H264SpsSize.TryRead(sps, out int w, out int h));
        Assert.Equal((1280, 720), (w, h));
    }

    [Fact]
    public void Truncated_and_random_input_is_refused_without_throwing()
    {
        byte[] sps = SpsWriter.Baseline(120, 68);
        for (int length = 0; length < sps.Length - 1; length++)
        {
            H264SpsSize.TryRead(sps.AsSpan(0, length), out _, out _);
        }
        var random = new Random(5);
        for (int i = 0; i < 10_000; i++)
        {
            var junk = new byte[random.Next(1, 40)];
            random.NextBytes(junk);
            junk[0] = 0x67;
            if (H264SpsSize.TryRead(junk, out int w, out int h))
            {
                Assert.True(w > 0 && h > 0);
            }
            H264SpsSize.TryReadFromAccessUnit(junk, out _, out _);
        }
    }
}
