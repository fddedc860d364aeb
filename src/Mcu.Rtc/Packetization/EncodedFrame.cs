namespace Mcu.Rtc.Packetization;

/// <summary>
/// A complete depacketized frame (VP8 bitstream, or H.264 Annex-B access unit).
/// <see cref="Data"/> points into the assembler's pooled buffer and is valid only until the next
/// call to <see cref="FrameAssembler.Push"/>.
/// </summary>
public readonly ref struct EncodedFrame
{
    public EncodedFrame(ReadOnlySpan<byte> data, uint timestamp, bool isKeyframe)
    {
        Data = data;
        Timestamp = timestamp;
        IsKeyframe = isKeyframe;
    }

    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The RTP timestamp shared by all packets of the frame.</summary>
    public uint Timestamp { get; }

    /// <summary>The frame can be decoded without earlier frames.</summary>
    public bool IsKeyframe { get; }
}
