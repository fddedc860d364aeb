namespace Mcu.Rtc.Packetization;

/// <summary>
/// The codec-specific half of depacketization, driven by <see cref="FrameAssembler"/>, which owns
/// sequence-gap and frame-boundary logic. Implementations never throw on wire data.
/// </summary>
public interface IRtpDepacketizer
{
    /// <summary>
    /// Checks that <paramref name="payload"/> is well formed and says whether it is the first
    /// packet of a frame by the codec's own rules (VP8: S=1 and PID=0; H.264: first NAL of an access unit).
    /// </summary>
    bool TryInspect(ReadOnlySpan<byte> payload, out bool isFrameStart);

    /// <summary>Resets per-frame state before the first payload of a frame is appended.</summary>
    void BeginFrame();

    /// <summary>Appends the codec bytes of an inspected payload to <paramref name="frame"/>; false drops the frame.</summary>
    bool TryAppend(ReadOnlySpan<byte> payload, FrameBuffer frame);

    /// <summary>Finishes the frame (all its packets arrived in order); false drops it.</summary>
    bool TryComplete(FrameBuffer frame, out bool isKeyframe);
}
