namespace Mcu.Media.Codecs;

/// <summary>Video codecs the MCU decodes and encodes; values match <c>enum mcu_video_codec</c>.</summary>
public enum VideoCodec
{
    Vp8 = 0,
    H264 = 1,
}

/// <summary>
/// Receives one encoded packet. <paramref name="data"/> is valid only during the call:
/// copy it (into a pooled buffer) to keep it.
/// </summary>
public delegate void EncodedPacketHandler(ReadOnlySpan<byte> data, bool isKeyframe, long timestampMicros);
