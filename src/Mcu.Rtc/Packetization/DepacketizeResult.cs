namespace Mcu.Rtc.Packetization;

/// <summary>What one RTP payload handed to <see cref="FrameAssembler.Push"/> caused.</summary>
public enum DepacketizeResult
{
    /// <summary>The payload was stored (or was a duplicate); no frame finished.</summary>
    NeedMore,

    /// <summary>At least one complete frame is ready: drain with <see cref="FrameAssembler.TryTakeFrame"/>.</summary>
    FrameReady,

    /// <summary>A frame was discarded because a packet was missing (sequence gap) or it could not be completed.</summary>
    FrameDropped,

    /// <summary>The payload is malformed; any frame it belonged to is discarded.</summary>
    Invalid,
}
