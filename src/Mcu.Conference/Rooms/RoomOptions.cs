using Mcu.Conference.Mixing;
using Mcu.Conference.Receive;

namespace Mcu.Conference.Rooms;

/// <summary>How a room mixes; set when it is created.</summary>
public sealed record RoomOptions
{
    /// <summary>A template name from layouts/, or "auto" (the template made for the participant count).</summary>
    public string Layout { get; init; } = "auto";

    /// <summary>The tier a new participant starts on.</summary>
    public string DefaultTier { get; init; } = OutputTier.Medium.Name;

    /// <summary>The best tier anyone may be pinned to.</summary>
    public string MaxTier { get; init; } = OutputTier.High.Name;

    public int FramesPerSecond { get; init; } = 30;

    public int MaxParticipants { get; init; } = 25;

    /// <summary>Receive-only viewers (WHEP) allowed beside the participants.</summary>
    public int MaxViewers { get; init; } = 100;

    /// <summary>Each participant's canvas leaves out their own tile (costs one encode per participant).</summary>
    public bool HideSelf { get; init; }

    /// <summary>
    /// Lost audio is rebuilt from the copies in Opus RED packets and from in-band FEC before the mix
    /// (on by default); off, every loss is concealed (PLC), as before either existed.
    /// </summary>
    public bool LossRecovery { get; init; } = true;

    /// <summary>
    /// Noise suppression (WebRTC's AudioProcessing) on each participant's audio before the mix; off by
    /// default for now: a steady tone (the tests' and the load bots' microphones) is taken for noise.
    /// </summary>
    public bool NoiseSuppression { get; init; }

    /// <summary>Automatic gain towards a common level on each participant's audio before the mix; off by default, as <see cref="NoiseSuppression"/>.</summary>
    public bool AutoGain { get; init; }

    /// <summary>How long a participant's last picture is held when they stop sending, before the placeholder.</summary>
    public int StaleVideoMs { get; init; } = 2000;

    /// <summary>Largest picture a participant may send (<c>Mcu:MaxInputWidth/Height</c>); bigger keyframes are refused before decoding.</summary>
    public (int Width, int Height) MaxInputSize { get; init; } = (1920, 1080);

    /// <summary>Makes the participants' decoders (tests put slow ones in).</summary>
    public DecoderFactory Decoders { get; init; } = DecoderFactory.Native;

    /// <summary>The room's clock: its ticks, the participants' timers and the media timestamps (tests put a simulated one in).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Where each participant's mixed audio goes instead of their RTP sender (tests listen here); null: the sender.</summary>
    internal Func<Participant, MixedAudioSink>? AudioOutputs { get; init; }
}
