namespace Mcu.Rtc.Packetization;

/*
 H.264 §7.3.2.1.1, seq_parameter_set_data(), as far as the picture size (the RBSP after the NAL
 header byte, emulation prevention bytes 0x000003 removed while reading):

   profile_idc u(8)  constraint_set_flags u(8)  level_idc u(8)  seq_parameter_set_id ue(v)
   if profile_idc in (100 110 122 244 44 83 86 118 128 138 139 134 135):
       chroma_format_idc ue(v)  [== 3: separate_colour_plane_flag u(1)]
       bit_depth_luma_minus8 ue(v)  bit_depth_chroma_minus8 ue(v)
       qpprime_y_zero_transform_bypass_flag u(1)  seq_scaling_matrix_present_flag u(1)
       [scaling lists: 8 (12 for 4:4:4) flags, each list of delta_scale se(v)]
   log2_max_frame_num_minus4 ue(v)  pic_order_cnt_type ue(v)  [type 0: ue; type 1: u(1) se se ue + se each]
   max_num_ref_frames ue(v)  gaps_in_frame_num_value_allowed_flag u(1)
   pic_width_in_mbs_minus1 ue(v)  pic_height_in_map_units_minus1 ue(v)  frame_mbs_only_flag u(1)
   [!frame_mbs_only: mb_adaptive_frame_field_flag u(1)]  direct_8x8_inference_flag u(1)
   frame_cropping_flag u(1) [left right top bottom ue(v)]
*/

/// <summary>
/// The picture size an H.264 SPS declares, read before anything is decoded, so that a receiver
/// can refuse a stream whose pictures are too large without allocating them.
/// </summary>
public static class H264SpsSize
{
    private const int MaxMacroblocks = 1 << 14;   // 262,144 pixels a side: far past any level

    /// <summary>Reads width and height (after cropping) from an SPS NAL unit, header byte included.</summary>
    public static bool TryRead(ReadOnlySpan<byte> spsNal, out int width, out int height)
    {
        width = height = 0;
        if (spsNal.Length < 4 || H264NalUnit.TypeOf(spsNal[0]) != H264NalUnitType.Sps)
        {
            return false;
        }
        var bits = new RbspReader(spsNal[1..]);
        int profile = bits.Bits(8);
        bits.Bits(16);                                   // constraint flags, level
        bits.Ue();                                       // seq_parameter_set_id
        int chromaFormat = 1;
        bool separateColourPlanes = false;
        if (profile is 100 or 110 or 122 or 244 or 44 or 83 or 86 or 118 or 128 or 138 or 139 or 134 or 135)
        {
            chromaFormat = bits.Ue();
            if (chromaFormat == 3)
            {
                separateColourPlanes = bits.Bits(1) == 1;
            }
            bits.Ue();                                   // bit depths
            bits.Ue();
            bits.Bits(1);
            if (bits.Bits(1) == 1)
            {
                int lists = chromaFormat != 3 ? 8 : 12;
                for (int i = 0; i < lists && !bits.Failed; i++)
                {
                    if (bits.Bits(1) == 1)
                    {
                        SkipScalingList(ref bits, i < 6 ? 16 : 64);
                    }
                }
            }
        }
        bits.Ue();                                       // log2_max_frame_num_minus4
        int pocType = bits.Ue();
        if (pocType == 0)
        {
            bits.Ue();
        }
        else if (pocType == 1)
        {
            bits.Bits(1);
            bits.Se();
            bits.Se();
            int cycle = bits.Ue();
            for (int i = 0; i < cycle && i < 256 && !bits.Failed; i++)
            {
                bits.Se();
            }
        }
        bits.Ue();                                       // max_num_ref_frames
        bits.Bits(1);
        int widthMbs = bits.Ue() + 1;
        int heightMapUnits = bits.Ue() + 1;
        int frameMbsOnly = bits.Bits(1);
        if (frameMbsOnly == 0)
        {
            bits.Bits(1);
        }
        bits.Bits(1);                                    // direct_8x8_inference_flag
        int cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (bits.Bits(1) == 1)
        {
            cropLeft = bits.Ue();
            cropRight = bits.Ue();
            cropTop = bits.Ue();
            cropBottom = bits.Ue();
        }
        if (bits.Failed || chromaFormat > 3 || widthMbs <= 0 || heightMapUnits <= 0
            || widthMbs > MaxMacroblocks || heightMapUnits > MaxMacroblocks)
        {
            return false;
        }
        // §7.4.2.1.1: crop units follow the chroma subsampling, and field coding doubles the height.
        int chromaArrayType = separateColourPlanes ? 0 : chromaFormat;
        int cropUnitX = chromaArrayType is 1 or 2 ? 2 : 1;
        int cropUnitY = (chromaArrayType == 1 ? 2 : 1) * (2 - frameMbsOnly);
        long fullWidth = widthMbs * 16L;
        long fullHeight = heightMapUnits * 16L * (2 - frameMbsOnly);
        long w = fullWidth - (long)cropUnitX * ((long)cropLeft + cropRight);
        long h = fullHeight - (long)cropUnitY * ((long)cropTop + cropBottom);
        if (w <= 0 || h <= 0)
        {
            return false;
        }
        width = (int)w;
        height = (int)h;
        return true;
    }

    /// <summary>Finds the first SPS in an Annex-B access unit and reads its size.</summary>
    public static bool TryReadFromAccessUnit(ReadOnlySpan<byte> annexB, out int width, out int height)
    {
        width = height = 0;
        int i = 0;
        while (i + 3 < annexB.Length)
        {
            // A start code is 00 00 01 (a 4-byte one ends the same way).
            if (annexB[i] == 0 && annexB[i + 1] == 0 && annexB[i + 2] == 1)
            {
                int start = i + 3;
                int end = start;
                while (end + 2 < annexB.Length && !(annexB[end] == 0 && annexB[end + 1] == 0 && annexB[end + 2] <= 1))
                {
                    end++;
                }
                if (end + 2 >= annexB.Length)
                {
                    end = annexB.Length;
                }
                if (start < end && H264NalUnit.TypeOf(annexB[start]) == H264NalUnitType.Sps)
                {
                    return TryRead(annexB[start..end], out width, out height);
                }
                i = end;
                continue;
            }
            i++;
        }
        return false;
    }

    private static void SkipScalingList(ref RbspReader bits, int size)
    {
        int last = 8, next = 8;
        for (int j = 0; j < size && !bits.Failed; j++)
        {
            if (next != 0)
            {
                next = (last + bits.Se() + 256) % 256;
            }
            last = next == 0 ? last : next;
        }
    }

    /// <summary>Reads bits of an RBSP, skipping emulation prevention bytes; past the end it fails, never throws.</summary>
    private ref struct RbspReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _byte;
        private int _bit;
        private int _zeros;

        public bool Failed { get; private set; }

        public int Bits(int count)
        {
            int value = 0;
            for (int i = 0; i < count; i++)
            {
                value = (value << 1) | Bit();
            }
            return value;
        }

        /// <summary>ue(v), H.264 §9.1; values past 2^31 count as failure.</summary>
        public int Ue()
        {
            int zeros = 0;
            while (Bit() == 0)
            {
                if (Failed || ++zeros > 30)
                {
                    Failed = true;
                    return 0;
                }
            }
            return (1 << zeros) - 1 + Bits(zeros);
        }

        public int Se()
        {
            int k = Ue();
            return (k & 1) == 1 ? (k + 1) / 2 : -(k / 2);
        }

        private int Bit()
        {
            if (_bit == 0)
            {
                // 00 00 03: the 03 is there only to break a start code (§7.4.1).
                if (_zeros >= 2 && _byte < _data.Length && _data[_byte] == 3)
                {
                    _byte++;
                    _zeros = 0;
                }
                if (_byte >= _data.Length)
                {
                    Failed = true;
                    return 0;
                }
                _zeros = _data[_byte] == 0 ? _zeros + 1 : 0;
            }
            int value = (_data[_byte] >> (7 - _bit)) & 1;
            if (++_bit == 8)
            {
                _bit = 0;
                _byte++;
            }
            return value;
        }
    }
}
