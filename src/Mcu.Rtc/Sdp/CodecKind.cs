namespace Mcu.Rtc.Sdp;

/// <summary>The codecs the mixer can decode and encode.</summary>
public enum CodecKind
{
    Opus,
    Vp8,
    H264,
}
