using Mcu.Conference.Layouts;
using Mcu.Conference.Mixing;
using Mcu.Conference.Receive;
using Mcu.Conference.Recording;
using Mcu.Conference.Send;
using Mcu.Media.Audio;
using Mcu.Media.Codecs;
using Mcu.Media.Compositing;
using Mcu.Media.Frames;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Sdp;
using Microsoft.Extensions.Logging;

namespace Mcu.Conference.Rooms;

/// <summary>
/// A conference: everyone in it sends one stream in and receives one composited video
/// and one mix-minus audio out. Two clocks drive it on the room's <see cref="RoomOptions.Time"/>:
/// the audio tick every 20 ms (<see cref="AudioTick"/>: decode, mix,
/// encode, send) and the video tick at the output frame rate (<see cref="VideoTick"/>: composite
/// and encode per output, then hand the packets to the node's <see cref="VideoPacer"/>, which
/// sends them). Each tick gives the mixers a snapshot of the room (who is connected, who is on
/// the canvas, their receivers and senders) and takes the newest frame of every participant,
/// never waiting for anyone, so a slow or lossy participant cannot stall the room.
/// In production each clock runs on a thread of its own, which sleeps while the room is empty;
/// a test makes the room without them and calls <see cref="Tick"/> on a simulated clock.
/// </summary>
public sealed partial class Room : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Participant> _participants = [];
    private readonly LayoutTemplateStore _layouts;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly DateTimeOffset _epoch;
    private readonly ManualResetEventSlim _occupied = new(false);
    private readonly CancellationTokenSource _closing = new();
    private readonly Thread? _audioThread;
    private readonly Thread? _videoThread;
    private readonly AudioMixing _audio;
    private readonly VideoMixing _video;
    private readonly MediaClock _audioClock;
    private readonly MediaClock _videoClock;
    private readonly Dictionary<Participant, MixMember> _members = [];
    private readonly RoomSnapshot _audioSnapshot = new();   // each clock's own, refilled every tick
    private readonly RoomSnapshot _videoSnapshot = new();
    private volatile IRoomRecorder[] _recorders = [];
    private string _layout;
    private string? _pinnedSpeaker;

    /// <param name="pacer">Sends the room's video (shared by every room of the node).</param>
    public Room(string name, RoomOptions options, LayoutTemplateStore layouts, VideoPacer pacer, ILogger logger)
        : this(name, options, layouts, pacer, logger, startClocks: true)
    {
    }

    /// <param name="startClocks">False: no clock threads; the caller drives the room with <see cref="Tick"/>.</param>
    internal Room(string name, RoomOptions options, LayoutTemplateStore layouts, VideoPacer pacer, ILogger logger, bool startClocks)
    {
        Name = name;
        _time = options.Time;
        _start = _time.GetTimestamp();
        _epoch = _time.GetUtcNow();
        CreatedAt = _epoch;
        Pacer = pacer;
        VideoDecoding = new VideoDecodePool(name);
        Options = options;
        _layouts = layouts;
        _logger = logger;
        _layout = options.Layout;
        _audio = new AudioMixing(options.MaxParticipants, OnSpeakerChanged);
        _video = new VideoMixing(options.FramesPerSecond, options.StaleVideoMs, options.HideSelf, () => NowMs, Latency);
        Func<long> now = () => NowMicros;
        Action<long, long> audioTick = AudioTick, videoTick = VideoTick;   // made once: a tick allocates no delegate
        _audioClock = new MediaClock(AudioTickMicros, (nowMs, nominal) => Guarded(audioTick, nowMs, nominal), AudioClock, now);
        _videoClock = new MediaClock(1_000_000 / options.FramesPerSecond, (nowMs, nominal) => Guarded(videoTick, nowMs, nominal), VideoClock, now);
        if (startClocks)
        {
            _audioThread = new Thread(() => RunClock(_audioClock)) { IsBackground = true, Name = $"room {name} audio" };
            _videoThread = new Thread(() => RunClock(_videoClock)) { IsBackground = true, Name = $"room {name} video" };
            _audioThread.Start();
            _videoThread.Start();
        }
    }

    public const int AudioTickMicros = AudioFormat.FrameMillis * 1000;

    public string Name { get; }

    public RoomOptions Options { get; }

    public DateTimeOffset CreatedAt { get; }

    public bool IsClosed => _closing.IsCancellationRequested;

    /// <summary>Room events: joined, left, speaker, layout. Raised on the room's threads; keep handlers short.</summary>
    public event Action<RoomEvent>? Changed;

    /// <summary>A template name or "auto".</summary>
    public string Layout => _layout;

    /// <summary>The template in use now (what "auto" resolves to for the current count).</summary>
    public LayoutTemplate? CurrentTemplate
    {
        get
        {
            var shown = VisibleParticipants();
            int screens = shown.Count(p => p.IsScreen);
            return ResolveTemplate(shown.Count - screens, screens > 0);
        }
    }

    /// <summary>The room's layout for a canvas showing <paramref name="people"/> participants.</summary>
    public LayoutTemplate? ResolveTemplate(int people, bool sharing = false) => _layouts.Resolve(_layout, people, sharing);

    /// <summary>Shared screens one room shows at most (each is a participant's second session).</summary>
    public const int MaxScreens = 4;

    public string? ActiveSpeakerId => _audio.SpeakerId;

    /// <summary>The participant pinned into the speaker role, if any.</summary>
    public string? PinnedSpeakerId => _pinnedSpeaker;

    public string? SpeakerId => _pinnedSpeaker ?? _audio.SpeakerId;

    public IReadOnlyList<Participant> Participants
    {
        get
        {
            lock (_lock)
            {
                return _participants.ToArray();
            }
        }
    }

    /// <summary>Server-added video latency: a participant's frame complete → the first packet of an output frame showing it.</summary>
    public LatencySamples Latency { get; } = new();

    /// <summary>How the audio clock's ticks went: count, late ticks, bytes allocated per tick.</summary>
    public ClockStats AudioClock { get; } = new();

    /// <summary>How the video clock's ticks went.</summary>
    public ClockStats VideoClock { get; } = new();

    /// <summary>Video encoders running now, one per distinct output.</summary>
    public int VideoEncoderCount => _video.OutputCount;

    /// <summary>Opus encodes in the last audio tick: 1 shared full mix + 1 per audible participant.</summary>
    public int AudioEncodeCount => _audio.LastEncodeCount;

    internal long NowMs => NowMicros / 1000;

    /// <summary>Microseconds since the room was made, on its <see cref="RoomOptions.Time"/>.</summary>
    internal long NowMicros => _time.GetElapsedTime(_start).Ticks / 10;

    internal LayoutTemplateStore Layouts => _layouts;

    internal VideoPacer Pacer { get; }

    /// <summary>The room's own threads that decode its participants' video.</summary>
    internal VideoDecodePool VideoDecoding { get; }

    /// <summary>
    /// Adds someone who negotiated <paramref name="answer"/>; their media flows once the
    /// connection given to <see cref="Participant.Attach"/> is up.
    /// </summary>
    public Participant Join(string id, string displayName, ParticipantRole role, SdpAnswer answer, LocalStreams streams, OutputTier? pinnedTier = null)
    {
        // Loss can tell us to step down but not how much headroom there is, so a participant
        // climbs back to the tier they started on, never above it unless pinned there.
        // maxTier holds for every way in: a pin above it is refused, a default above it is lowered to it.
        var max = OutputTier.Find(Options.MaxTier) ?? OutputTier.High;
        if (pinnedTier is not null && IsAbove(pinnedTier, max))
        {
            throw new TierAboveLimitException(Name, pinnedTier.Name, max.Name);
        }
        var start = pinnedTier ?? OutputTier.Find(Options.DefaultTier) ?? OutputTier.Medium;
        if (IsAbove(start, max))
        {
            start = max;
        }
        var ceiling = start;
        var participant = Add(role, room => new Participant(room, id, displayName, role, answer, streams.AudioSsrc, streams.VideoSsrc, streams.Cname, start, ceiling));
        if (pinnedTier is not null)
        {
            participant.Tiers.Pin(pinnedTier);
        }
        return participant;
    }

    private Participant Add(ParticipantRole role, Func<Room, Participant> create)
    {
        lock (_lock)
        {
            if (IsClosed)
            {
                throw new RoomClosedException(Name);
            }
            if (role == ParticipantRole.Participant && _participants.Count(p => p.Role == ParticipantRole.Participant) >= Options.MaxParticipants)
            {
                throw new RoomFullException(Name, Options.MaxParticipants);
            }
            if (role == ParticipantRole.Viewer && _participants.Count(p => p.Role == ParticipantRole.Viewer) >= Options.MaxViewers)
            {
                throw new RoomFullException(Name, Options.MaxViewers, "viewers");
            }
            if (role == ParticipantRole.Screen && _participants.Count(p => p.IsScreen) >= MaxScreens)
            {
                throw new RoomFullException(Name, MaxScreens, "shared screens");
            }
            var participant = create(this);
            _participants.Add(participant);
            var member = MemberFor(participant);
            _members[participant] = member;
            participant.Member = member;
            _audio.Assign(member);
            _occupied.Set();
            return participant;
        }
    }

    /// <summary>Takes someone out (they left, their connection failed, or the API removed them).</summary>
    public void Remove(Participant participant, string reason)
    {
        MixMember? member;
        lock (_lock)
        {
            if (!_participants.Remove(participant) || !_members.Remove(participant, out member))
            {
                return;
            }
            _audio.Release(member);
            if (_pinnedSpeaker == participant.Id)
            {
                _pinnedSpeaker = null;
            }
            if (_participants.Count == 0 && _recorders.Length == 0)
            {
                _occupied.Reset();
            }
        }
        participant.Connection?.Close();
        _video.Forget(member);
        // The clocks may hold this participant in the tick under way: free its codecs a little later.
        _ = Task.Delay(TimeSpan.FromSeconds(1)).ContinueWith(_ =>
        {
            participant.Dispose();
            member.Dispose();
        }, TaskScheduler.Default);
        Log.Left(_logger, Name, participant.Id, reason);
        Raise(new RoomEvent(RoomEventType.ParticipantLeft, participant.Id, reason));
    }

    /// <summary>True when <paramref name="tier"/> is better than <paramref name="limit"/> (OutputTier.All runs best first).</summary>
    public static bool IsAbove(OutputTier tier, OutputTier limit) => Rank(tier) < Rank(limit);

    private static int Rank(OutputTier tier)
    {
        for (int i = 0; i < OutputTier.All.Count; i++)
        {
            if (OutputTier.All[i] == tier)
            {
                return i;
            }
        }
        return OutputTier.All.Count;
    }

    public Participant? Find(string id)
    {
        lock (_lock)
        {
            return _participants.FirstOrDefault(p => p.Id == id);
        }
    }

    /// <summary>Switches the layout; the next video tick draws it. Throws when no such template.</summary>
    public void SetLayout(string layout)
    {
        if (layout != LayoutTemplate.Auto && !_layouts.TryGet(layout, out _))
        {
            throw new LayoutTemplateException($"no layout template '{layout}'");
        }
        _layout = layout;
        Raise(new RoomEvent(RoomEventType.LayoutChanged, null, layout));
    }

    /// <summary>Tells listeners the API changed someone (muted, renamed, re-tiered); <paramref name="what"/> lists the changes.</summary>
    public void OnParticipantUpdated(Participant participant, string what) =>
        Raise(new RoomEvent(RoomEventType.ParticipantUpdated, participant.Id, what));

    /// <summary>Recorders attached now.</summary>
    public IReadOnlyList<IRoomRecorder> Recorders => _recorders;

    /// <summary>Attaches a recorder; its first video is a keyframe. The room's clocks run while it records.</summary>
    public void AddRecorder(IRoomRecorder recorder)
    {
        lock (_lock)
        {
            _recorders = [.. _recorders, recorder];
            _occupied.Set();
        }
    }

    public void RemoveRecorder(IRoomRecorder recorder)
    {
        lock (_lock)
        {
            _recorders = _recorders.Where(r => r != recorder).ToArray();
            if (_participants.Count == 0 && _recorders.Length == 0)
            {
                _occupied.Reset();
            }
        }
    }

    /// <summary>Tells the room's listeners about one of its recordings: started, stopped or failed (with why).</summary>
    public void ReportRecording(RoomEventType type, string recordingId, string? detail)
    {
        if (type is not (RoomEventType.RecordingStarted or RoomEventType.RecordingStopped or RoomEventType.RecordingFailed))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "not a recording event");
        }
        Raise(new RoomEvent(type, null, detail is null ? recordingId : $"{recordingId}: {detail}"));
    }

    /// <summary>A live stream (RTMP/SRT push or HLS) of this room started, stopped or failed.</summary>
    public void ReportStream(RoomEventType type, string streamId, string? detail)
    {
        if (type is not (RoomEventType.StreamStarted or RoomEventType.StreamStopped or RoomEventType.StreamFailed))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "not a stream event");
        }
        Raise(new RoomEvent(type, null, detail is null ? streamId : $"{streamId}: {detail}"));
    }

    public void PinSpeaker(string? participantId)
    {
        _pinnedSpeaker = participantId;
        Raise(new RoomEvent(RoomEventType.SpeakerChanged, SpeakerId, participantId is null ? "unpinned" : "pinned"));
    }

    /// <summary>Closes the room: everyone leaves cleanly, the clocks stop.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (IsClosed)
            {
                return;
            }
            // Under the lock a join takes: from here on every join is refused, none slips in behind the list below.
            _closing.Cancel();
        }
        foreach (var participant in Participants)
        {
            Remove(participant, "room closed");
        }
        Closed();
    }

    /// <summary>Closes the room only if nobody is in it, atomically with joins (an idle room ending as someone joins).</summary>
    public bool CloseIfEmpty()
    {
        lock (_lock)
        {
            if (IsClosed || _participants.Count > 0)
            {
                return false;
            }
            _closing.Cancel();
        }
        Closed();
        return true;
    }

    private void Closed()
    {
        _occupied.Set();
        Raise(new RoomEvent(RoomEventType.RoomClosed, null, null));
    }

    public void Dispose()
    {
        Close();
        _audioThread?.Join(TimeSpan.FromSeconds(2));
        _videoThread?.Join(TimeSpan.FromSeconds(2));
        _video.Dispose();
        _audio.Dispose();
        VideoDecoding.Dispose();
    }

    internal void OnParticipantConnected(Participant participant)
    {
        Log.Joined(_logger, Name, participant.Id, participant.DisplayName);
        if (FindMember(participant) is { } member)
        {
            _video.RequestKeyframe(member, urgent: true);
        }
        Raise(new RoomEvent(RoomEventType.ParticipantJoined, participant.Id, participant.DisplayName));
    }

    internal void RequestKeyframe(Participant participant)
    {
        if (FindMember(participant) is { } member)
        {
            _video.RequestKeyframe(member, urgent: false);
        }
    }

    /// <summary>A participant's picture is over the size limit: said in the log and as a participantUpdated event.</summary>
    internal void OnPictureTooLarge(Participant participant, int width, int height)
    {
        McuMetrics.VideoInputRefused.Add(1);
        Log.PictureTooLarge(_logger, Name, participant.Id, width, height);
        Raise(new RoomEvent(RoomEventType.ParticipantUpdated, participant.Id, $"videoTooLarge:{width}x{height}"));
    }

    /// <summary>Something of one participant's threw (a decoder, their RTCP timers); the room goes on.</summary>
    internal void OnParticipantFailed(Participant participant, string what, Exception exception) =>
        Log.ParticipantFailed(_logger, Name, participant.Id, what, exception);

    private void OnSpeakerChanged(string? speakerId) =>
        Raise(new RoomEvent(RoomEventType.SpeakerChanged, speakerId, null));

    /// <summary>Participants and shared screens whose picture is on the canvas (not view-only ones), in join order.</summary>
    internal List<Participant> VisibleParticipants()
    {
        lock (_lock)
        {
            return _participants.Where(p => p.Role != ParticipantRole.Viewer).ToList();
        }
    }

    private MixMember? FindMember(Participant participant)
    {
        lock (_lock)
        {
            return _members.GetValueOrDefault(participant);
        }
    }

    /// <summary>The mixers' view of a participant who just joined: their receivers and where their mix goes.</summary>
    private MixMember MemberFor(Participant p)
    {
        MixedAudioSink? audioOut = null;
        if (p.AudioOut is { } sender)
        {
            audioOut = Options.AudioOutputs?.Invoke(p) ?? ((opus, mediaMicros) =>
            {
                if (p.Connection is { } connection)
                {
                    _ = p.AudioDownlink is { } red ? red.Send(connection, opus, mediaMicros) : sender.Send(connection, opus, mediaMicros, marker: false);
                }
            });
        }
        return new MixMember(p.Id, p.IsScreen, p.AudioIn, p.VideoIn, audioOut, p.VideoQueue, p.OutputCodec);
    }

    /// <summary>Fills <paramref name="snapshot"/> with the room as it is now, without allocating.</summary>
    private void Fill(RoomSnapshot snapshot)
    {
        snapshot.Connected.Clear();
        snapshot.Visible.Clear();
        lock (_lock)
        {
            foreach (var p in _participants)
            {
                var member = _members[p];
                member.IsConnected = p.IsConnected;
                member.DisplayName = p.DisplayName;
                member.AudioMuted = p.AudioMuted;
                member.VideoMuted = p.VideoMuted;
                member.Tier = p.Tier;
                member.Pinned = p.Pinned;
                if (member.IsConnected)
                {
                    snapshot.Connected.Add(member);
                }
                if (p.Role != ParticipantRole.Viewer)
                {
                    snapshot.Visible.Add(member);
                }
            }
        }
        snapshot.Recorders = _recorders;
        snapshot.SpeakerId = SpeakerId;
        snapshot.Layouts = _layouts;
        snapshot.Layout = _layout;
    }

    /// <summary>
    /// The audio tick at <paramref name="nowMs"/> (nominally <paramref name="mediaMicros"/> on the room
    /// clock): the mix, its encodes and sends. RTCP is not the room's: each participant's session
    /// runs on the transport's timer.
    /// </summary>
    internal void AudioTick(long nowMs, long mediaMicros)
    {
        Fill(_audioSnapshot);
        _audio.Tick(_audioSnapshot, nowMs, mediaMicros);
    }

    /// <summary>The video tick at <paramref name="nowMs"/>: every output composited, encoded and handed to the pacer.</summary>
    internal void VideoTick(long nowMs, long mediaMicros)
    {
        Fill(_videoSnapshot);
        ArrangeStage(_videoSnapshot, nowMs);
        _video.Tick(_videoSnapshot, nowMs, mediaMicros);
    }

    private readonly Stage _stage = new();
    private readonly List<MixMember> _stagePeople = [];
    private readonly List<MixMember> _stageScreens = [];
    private string _onStage = "";
    private bool _crowded;

    /// <summary>
    /// Orders the canvas's people by the <see cref="Stage"/> (last N: who speaks is seen), marks who
    /// is on it and tells the receivers of the rest not to decode. Screens stay first, always shown.
    /// </summary>
    private void ArrangeStage(RoomSnapshot snapshot, long nowMs)
    {
        _stagePeople.Clear();
        _stageScreens.Clear();
        foreach (var m in snapshot.Visible)
        {
            (m.IsScreen ? _stageScreens : _stagePeople).Add(m);
        }
        var template = snapshot.ResolveTemplate(_stagePeople.Count, _stageScreens.Count > 0);
        // Where screens have no region of their own they take people's places.
        int capacity = template is null ? _stagePeople.Count
            : Math.Max(0, template.Capacity - (template.ShowsScreens ? 0 : _stageScreens.Count));
        bool changed = _stage.Arrange(_stagePeople, capacity, snapshot.SpeakerId, nowMs);
        snapshot.Visible.Clear();
        snapshot.Visible.AddRange(_stageScreens);
        snapshot.Visible.AddRange(_stagePeople);
        // A personal canvas (hide-self) shows everyone but its viewer: one more is seen on some canvas.
        int shown = capacity + (Options.HideSelf ? 1 : 0);
        foreach (var screen in _stageScreens)
        {
            screen.OnStage = true;
            screen.VideoIn?.SetShown(true);
        }
        for (int i = 0; i < _stagePeople.Count; i++)
        {
            var m = _stagePeople[i];
            m.OnStage = i < shown;
            m.VideoIn?.SetShown(m.OnStage);
        }
        // Said only when who is seen changed in a room where someone is not seen (or just was):
        // in a room whose layout shows everyone, joins and leaves say it all.
        bool crowded = _stagePeople.Count > shown;
        bool wasCrowded = _crowded;
        _crowded = crowded;
        if (changed && (crowded || wasCrowded))
        {
            // The ids on stage, in stage order.
            string onStage = string.Join(",", _stagePeople.Take(Math.Min(shown, _stagePeople.Count)).Select(m => m.Id));
            if (onStage != _onStage)
            {
                _onStage = onStage;
                Raise(new RoomEvent(RoomEventType.StageChanged, null, onStage));
            }
        }
    }

    /// <summary>
    /// Runs whichever clocks are due now on the room's <see cref="RoomOptions.Time"/>, and returns how
    /// long until the next is due. For a room made without its clock threads (a test on a simulated
    /// clock); the same schedule the threads keep, so ticks, late ticks and catch-up are counted alike.
    /// </summary>
    internal TimeSpan Tick()
    {
        long now = NowMicros;
        long next = Math.Min(_audioClock.RunDue(now), _videoClock.RunDue(now));
        return TimeSpan.FromTicks(Math.Max(0, next - NowMicros) * 10);
    }

    /// <summary>Now as NTP (RFC 3550 §4), and the same instant on the room's media clock.</summary>
    internal ulong NtpNow(out long mediaMicros)
    {
        mediaMicros = NowMicros;
        var wall = _epoch.AddTicks(mediaMicros * 10);
        double seconds = (wall - NtpEpoch).TotalSeconds;
        ulong whole = (ulong)Math.Floor(seconds);
        ulong fraction = (ulong)((seconds - whole) * 4294967296.0);
        return whole << 32 | fraction;
    }

    private static readonly DateTimeOffset NtpEpoch = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private void Raise(RoomEvent e)
    {
        try
        {
            Changed?.Invoke(e);
        }
        catch (Exception ex)
        {
            Log.EventHandlerFailed(_logger, Name, ex);
        }
    }

    private void Guarded(Action<long, long> tick, long nowMs, long mediaMicros)
    {
        try
        {
            tick(nowMs, mediaMicros);
        }
        catch (Exception e)
        {
            // A bug in one tick must not silence the room for good.
            Log.TickFailed(_logger, Name, e);
        }
    }

    /// <summary>
    /// A clock's thread: runs <paramref name="clock"/> when it is due, sleeping between. While the
    /// room is empty it waits, using nothing, and starts over when someone comes.
    /// </summary>
    private void RunClock(MediaClock clock)
    {
        clock.Restart(NowMicros);
        while (!IsClosed)
        {
            if (!_occupied.IsSet)
            {
                _occupied.Wait(_closing.Token.CanBeCanceled ? Timeout.Infinite : 0);
                clock.Restart(NowMicros);
                continue;
            }
            long now = NowMicros;
            long next = clock.RunDue(now);
            long wait = next - NowMicros;
            if (wait > 0)
            {
                if (_time == TimeProvider.System)
                {
                    Thread.Sleep(TimeSpan.FromTicks(wait * 10));
                }
                else
                {
                    Task.Delay(TimeSpan.FromTicks(wait * 10), _time).Wait();
                }
            }
        }
    }
}

public sealed class RoomFullException(string room, int max, string who = "participants") : Exception($"Room {room} is full ({max} {who}).");

/// <summary>A join reached a room that closed (deleted, or ended idle) after it was found.</summary>
public sealed class RoomClosedException(string room) : InvalidOperationException($"Room {room} is closed.");

/// <summary>A tier pinned above the room's maxTier.</summary>
public sealed class TierAboveLimitException(string room, string tier, string max)
    : Exception($"tier '{tier}' is above room {room}'s maxTier '{max}'");
