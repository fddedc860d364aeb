namespace Mcu.Rtc.Packetization;

/// <summary>
/// VP8 depacketization (RFC 7741): strips payload descriptors and concatenates the VP8 data of a frame.
/// Plug into a <see cref="FrameAssembler"/>; <see cref="Vp8FrameHeader.TryParse"/> on a finished frame gives its size.
/// </summary>
public sealed class Vp8Depacketizer : IRtpDepacketizer
{
    private bool _hasPictureId;
    private ushort _pictureId;

    public static FrameAssembler CreateAssembler(int maxFrameSize = FrameAssembler.DefaultMaxFrameSize) =>
        new(new Vp8Depacketizer(), maxFrameSize);

    public bool TryInspect(ReadOnlySpan<byte> payload, out bool isFrameStart)
    {
        isFrameStart = false;
        if (!Vp8PayloadDescriptor.TryParse(payload, out var descriptor))
        {
            return false;
        }
        // A packet must carry VP8 data; the frame header is checked once the frame is whole,
        // since a tiny payload size may split it across packets.
        isFrameStart = descriptor.IsStartOfFrame;
        return payload.Length > descriptor.SerializedLength;
    }

    public void BeginFrame() => _hasPictureId = false;

    public bool TryAppend(ReadOnlySpan<byte> payload, FrameBuffer frame)
    {
        if (!Vp8PayloadDescriptor.TryParse(payload, out var descriptor))
        {
            return false;
        }
        bool first = frame.Length == 0;
        if (first != descriptor.IsStartOfFrame)
        {
            return false;
        }
        if (descriptor.HasPictureId)
        {
            // Every packet of a frame carries the same PictureID; a change means two frames got mixed.
            if (_hasPictureId && descriptor.PictureId != _pictureId)
            {
                return false;
            }
            _hasPictureId = true;
            _pictureId = descriptor.PictureId;
        }
        return frame.TryAppend(payload[descriptor.SerializedLength..]);
    }

    public bool TryComplete(FrameBuffer frame, out bool isKeyframe)
    {
        isKeyframe = false;
        if (!Vp8FrameHeader.TryParse(frame.WrittenSpan, out var header))
        {
            return false;
        }
        isKeyframe = header.IsKeyframe;
        return true;
    }
}
