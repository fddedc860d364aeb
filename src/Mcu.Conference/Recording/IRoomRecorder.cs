using Mcu.Conference.Mixing;

namespace Mcu.Conference.Recording;

/// <summary>
/// A sink on a room's mixer: it gets the composited video of its tier as H.264 (from the
/// same shared encoder participants on that tier use, so recording costs no extra
/// encode when one is running anyway) and the full audio mix every 20 ms, silence
/// included, so audio and video stay on one clock. Both are stamped with real time on the room
/// clock, not the tick's nominal time (a clock running late catches up in bursts, and its
/// nominal times would lag the pictures and sound they carry): audio when it was mixed, video
/// with the frame slot its newest picture arrived in.
/// Calls come from the room's clock threads: do nothing slow in them (queue the work).
/// </summary>
public interface IRoomRecorder
{
    /// <summary>The size and bitrate to record at.</summary>
    OutputTier Tier { get; }

    /// <summary>One encoded access unit (Annex-B) whose pictures arrived at <paramref name="mediaMicros"/> on the room clock (a multiple of the frame period).</summary>
    void OnVideo(ReadOnlySpan<byte> annexB, bool keyframe, long mediaMicros);

    /// <summary>20 ms of the full mix (everyone), 48 kHz mono, mixed at <paramref name="mediaMicros"/> on the room clock.</summary>
    void OnAudio(ReadOnlySpan<short> pcm, long mediaMicros);

    /// <summary>
    /// True when the recorder needs a keyframe now (its file fragments end at keyframes, or it
    /// dropped video and cannot decode on). Read on the video clock thread before each frame;
    /// it forces a keyframe on the shared encoder, so everyone on that tier gets it too.
    /// </summary>
    bool WantsKeyframe => false;
}
