namespace Mcu.Rtc.Packetization;

/// <summary>
/// Splits one encoded frame into RTP payloads (the bytes after the RTP header).
/// Usage: <c>Begin(frame)</c>, then <c>TryNext</c> until it returns false; the caller puts
/// <c>marker</c> into the RTP header and numbers the packets.
/// </summary>
public interface IRtpPacketizer
{
    /// <summary>No payload written by <see cref="TryNext"/> is longer than this.</summary>
    int MaxPayloadSize { get; }

    /// <summary>Starts a new frame; the bytes are copied, so the caller may reuse its buffer at once.</summary>
    void Begin(ReadOnlySpan<byte> frame);

    /// <summary>
    /// Writes the next payload of the current frame into <paramref name="destination"/>
    /// (which must hold <see cref="MaxPayloadSize"/> bytes). Returns false when the frame is done.
    /// </summary>
    bool TryNext(Span<byte> destination, out int length, out bool marker);
}
