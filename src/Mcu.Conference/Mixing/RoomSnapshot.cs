using Mcu.Conference.Layouts;
using Mcu.Conference.Receive;
using Mcu.Conference.Recording;
using Mcu.Conference.Send;
using Mcu.Media.Codecs;

namespace Mcu.Conference.Mixing;

/// <summary>Where one participant's mix goes: an Opus packet of 20 ms, stamped on the room's media clock.</summary>
internal delegate void MixedAudioSink(ReadOnlySpan<byte> opus, long mediaMicros);

/// <summary>
/// One participant as the mixers see them: what they send (receivers), what they get (senders),
/// and the few flags a tick reads. Made once when they join; the room refreshes the flags before
/// each tick. The mixers keep their own per-participant state here (mixer slot, own encoder).
/// </summary>
internal sealed class MixMember : IDisposable
{
    public MixMember(string id, bool isScreen, AudioReceiver? audioIn, VideoReceiver? videoIn, MixedAudioSink? audioOut, SendQueue? videoOut, VideoCodec outputCodec)
    {
        Id = id;
        IsScreen = isScreen;
        AudioIn = audioIn;
        VideoIn = videoIn;
        AudioOut = audioOut;
        VideoOut = videoOut;
        OutputCodec = outputCodec;
    }

    public string Id { get; }

    public bool IsScreen { get; }

    public AudioReceiver? AudioIn { get; }

    public VideoReceiver? VideoIn { get; }

    /// <summary>Their mix-minus or the shared full mix goes here; null when they receive no audio.</summary>
    public MixedAudioSink? AudioOut { get; }

    /// <summary>Their composited video goes here, for the pacer; null when they receive no video.</summary>
    public SendQueue? VideoOut { get; }

    public VideoCodec OutputCodec { get; }

    // Refreshed by the room before each tick.
    public string DisplayName { get; set; } = "";

    public bool IsConnected { get; set; }

    public bool AudioMuted { get; set; }

    public bool VideoMuted { get; set; }

    public OutputTier Tier { get; set; } = OutputTier.Medium;

    /// <summary>On the canvas now (the stage's first N, or a screen); the others' video is not decoded.</summary>
    public bool OnStage
    {
        get => Volatile.Read(ref _onStage);
        set => Volatile.Write(ref _onStage, value);
    }

    private bool _onStage;

    /// <summary>Always on stage (by the API), whoever speaks.</summary>
    public bool Pinned { get; set; }

    /// <summary>
    /// When they last spoke on the room clock (ms): set by the audio mixer once they have been
    /// audible for a fifth of a second; read by the video tick's <see cref="Stage"/>.
    /// </summary>
    public long LastSpokeMs
    {
        get => Volatile.Read(ref _lastSpokeMs);
        set => Volatile.Write(ref _lastSpokeMs, value);
    }

    private long _lastSpokeMs = long.MinValue / 2;

    /// <summary>
    /// Pixels of the largest tile showing them on any output now (0: not shown), set by the video
    /// tick: what their REMB asks their encoder for follows it.
    /// </summary>
    public int TilePixels
    {
        get => Volatile.Read(ref _tilePixels);
        set => Volatile.Write(ref _tilePixels, value);
    }

    private int _tilePixels;

    // The video tick's own, while it measures the tiles.
    internal int TileTick { get; set; }

    internal int TilePixelsThisTick { get; set; }

    /// <summary>The audio mixer's count of audible ticks in a row (a few silent ones allowed).</summary>
    public int AudibleTicks { get; set; }

    public int SilentTicks { get; set; }

    // The audio mixer's own.
    /// <summary>Input slot in the room's audio mixer, -1 for none.</summary>
    public int MixerSlot { get; set; } = -1;

    /// <summary>Encodes this member's mix-minus while they are audible (silent ones share the full mix).</summary>
    public OpusEncoder? OwnMixEncoder { get; set; }

    /// <summary>Where <see cref="OwnMixEncoder"/> writes (each listener its own: encodes run at once).</summary>
    public byte[]? OwnMixPacket { get; set; }

    public void Dispose() => OwnMixEncoder?.Dispose();
}

/// <summary>
/// A room as one tick sees it: who is connected, who is on the canvas, the recorders, the
/// layout and the speaker. The room fills it before each tick and the mixers only read it;
/// each clock has its own, reused from tick to tick, so a steady tick allocates nothing here.
/// </summary>
internal sealed class RoomSnapshot
{
    /// <summary>Connected members (they are mixed and get the mix), in join order.</summary>
    public List<MixMember> Connected { get; } = [];

    /// <summary>Members whose picture is on the canvas (not view-only ones), in join order.</summary>
    public List<MixMember> Visible { get; } = [];

    public IRoomRecorder[] Recorders { get; set; } = [];

    /// <summary>The pinned speaker, or else the active one.</summary>
    public string? SpeakerId { get; set; }

    public LayoutTemplateStore? Layouts { get; set; }

    /// <summary>A template name or "auto".</summary>
    public string Layout { get; set; } = LayoutTemplate.Auto;

    /// <summary>The layout for a canvas showing <paramref name="people"/> participants.</summary>
    public LayoutTemplate? ResolveTemplate(int people, bool sharing) => Layouts?.Resolve(Layout, people, sharing);
}
