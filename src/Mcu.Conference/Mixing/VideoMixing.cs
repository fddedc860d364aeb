using System.Collections.Concurrent;
using Mcu.Conference.Layouts;
using Mcu.Conference.Recording;
using Mcu.Media.Codecs;
using Mcu.Media.Compositing;
using Mcu.Media.Frames;

namespace Mcu.Conference.Mixing;

/// <summary>
/// The room's video tick: lays out who is in the room, takes each one's newest
/// picture (the last one while it is fresh, the placeholder once it is stale or muted),
/// and renders each distinct output — layout × tier × codec, or a personal canvas —
/// once, for all its subscribers. Outputs nobody uses any more are closed.
/// The arrangement of an output is kept until who is on it, the speaker or the layout
/// changes, and lists are reused, so a steady tick allocates next to nothing. It reads the
/// room from the snapshot each tick is given and knows nothing of the room itself.
/// The outputs of a tick are drawn and encoded at once on the node's <see cref="MixWorkers"/>
/// (a hide-self room has one per participant).
/// </summary>
internal sealed class VideoMixing : IDisposable
{
    private const int IdleOutputMs = 5000;

    private readonly int _framesPerSecond;
    private readonly int _staleVideoMs;
    private readonly bool _personal;
    private readonly Func<long> _nowMs;
    private readonly LatencySamples _latency;
    private readonly Dictionary<VideoOutputKey, VideoOutput> _outputs = new();
    private readonly Dictionary<VideoOutputKey, Arrangement> _arrangements = new();
    private readonly ConcurrentDictionary<MixMember, bool> _keyframeRequests = new();
    private readonly ConcurrentDictionary<MixMember, VideoOutputKey> _currentKey = new();
    private readonly Dictionary<VideoOutputKey, List<MixMember>> _groups = new();
    private readonly List<MixMember> _members = [];
    private readonly List<VideoFrame> _held = [];
    private readonly List<VideoOutputKey> _idle = [];
    private readonly CompositorStyle _style = new();
    private readonly Dictionary<OutputTier, IRoomRecorder[]> _recordersByTier = [];
    private IRoomRecorder[] _recordersSeen = [];
    private int _activeOutputs;
    private int _tick;
    private readonly List<PendingRender> _renders = [];
    private readonly MixWorkers _workers;
    private readonly ParallelBatch _batch = new();
    private readonly RenderWork _renderWork;

    /// <summary>One output's canvas to draw and encode this tick, with what it shows.</summary>
    private readonly record struct PendingRender(VideoOutput Output, Arrangement Arrangement, List<MixMember> Subscribers, long Signature, long NewestInputMs);

    private sealed class RenderWork(VideoMixing mixing) : IParallelWork
    {
        public long NowMs { get; set; }

        public long MediaMicros { get; set; }

        public void Run(int index)
        {
            var r = mixing._renders[index];
            r.Output.Render(r.Arrangement.Regions, r.Arrangement.Sources, r.Signature, r.NewestInputMs, r.Subscribers, NowMs, MediaMicros);
        }
    }

    /// <param name="nowMs">The room's clock, read when a frame's packets are handed on (for the latency).</param>
    /// <param name="latency">Where the server-added latency of each output frame goes.</param>
    public VideoMixing(int framesPerSecond, int staleVideoMs, bool hideSelf, Func<long> nowMs, LatencySamples latency, MixWorkers? workers = null)
    {
        _workers = workers ?? MixWorkers.Shared;
        _renderWork = new RenderWork(this);
        _framesPerSecond = framesPerSecond;
        _staleVideoMs = staleVideoMs;
        _personal = hideSelf;
        _nowMs = nowMs;
        _latency = latency;
    }

    /// <summary>Outputs that rendered for someone in the last tick (idle ones linger a few seconds before closing).</summary>
    public int OutputCount => Volatile.Read(ref _activeOutputs);

    public void RequestKeyframe(MixMember participant, bool urgent) =>
        _keyframeRequests.AddOrUpdate(participant, urgent, (_, was) => was || urgent);

    public void Forget(MixMember participant)
    {
        _keyframeRequests.TryRemove(participant, out _);
        _currentKey.TryRemove(participant, out _);
    }

    public void Tick(RoomSnapshot room, long nowMs, long mediaMicros)
    {
        var recorders = room.Recorders;
        var connected = room.Connected;
        var visible = room.Visible;
        foreach (var group in _groups.Values)
        {
            group.Clear();
        }
        int screens = CountScreens(visible);
        bool sharing = screens > 0;
        int people = visible.Count - screens;
        var template = room.ResolveTemplate(people, sharing);
        string layoutName = template?.Name ?? "none";
        bool personal = _personal;
        foreach (var p in connected)
        {
            if (p.VideoOut is null)
            {
                continue;
            }
            // A personal canvas (hide-self) is laid out for the people on it: everyone but its viewer.
            string layout = personal ? room.ResolveTemplate(visible.Contains(p) ? people - 1 : people, sharing)?.Name ?? "none" : layoutName;
            var key = new VideoOutputKey(layout, p.Tier, p.OutputCodec, personal ? p.Id : null);
            GroupFor(key).Add(p);
            if (!_currentKey.TryGetValue(p, out var previous) || previous != key)
            {
                // A participant moving to another output needs a keyframe from it to start decoding.
                _currentKey[p] = key;
                RequestKeyframe(p, urgent: true);
            }
        }
        foreach (var recorder in recorders)
        {
            GroupFor(new VideoOutputKey(layoutName, recorder.Tier, VideoCodec.H264, null));
        }

        int active = 0;
        _tick++;
        try
        {
            foreach (var (key, subscribers) in _groups)
            {
                // Recorders take the shared canvas of the current layout at their tier, in H.264.
                var keyRecorders = recorders.Length > 0 && key.PersonalFor is null && key.Layout == layoutName && key.Codec == VideoCodec.H264
                    ? RecordersAt(recorders, key.Tier)
                    : [];
                if (subscribers.Count == 0 && keyRecorders.Length == 0)
                {
                    continue;
                }
                active++;
                var output = GetOutput(key);
                output.LastUsedMs = nowMs;
                foreach (var p in subscribers)
                {
                    if (_keyframeRequests.TryRemove(p, out bool urgent))
                    {
                        output.RequestKeyframe(nowMs, urgent);
                    }
                }
                _members.Clear();
                foreach (var p in visible)
                {
                    if (p.Id != key.PersonalFor)
                    {
                        _members.Add(p);
                    }
                }
                var keyTemplate = key.PersonalFor is null ? template : room.ResolveTemplate(_members.Count - CountScreens(_members), sharing);
                var arrangement = ArrangementFor(key, keyTemplate, room.SpeakerId);
                long newestInputMs = arrangement.TakeFrames(nowMs, _staleVideoMs, _held, out long signature);
                arrangement.MeasureTiles(key.Tier, _tick);
                output.SetRecorders(keyRecorders);
                _renders.Add(new PendingRender(output, arrangement, subscribers, signature, newestInputMs));
            }
            // Each output composites and encodes its own canvas: on the node's mix workers, at once.
            _renderWork.NowMs = nowMs;
            _renderWork.MediaMicros = mediaMicros;
            _workers.Run(_batch, _renderWork, _renders.Count);
        }
        finally
        {
            _renders.Clear();
            foreach (var frame in _held)
            {
                frame.Release();
            }
            _held.Clear();
        }
        Volatile.Write(ref _activeOutputs, active);
        foreach (var p in visible)
        {
            p.TilePixels = p.TileTick == _tick ? p.TilePixelsThisTick : 0;
        }
        CloseIdleOutputs(nowMs);
    }

    public void Dispose()
    {
        lock (_outputs)
        {
            foreach (var output in _outputs.Values)
            {
                output.Dispose();
            }
            _outputs.Clear();
        }
    }

    /// <summary>The recorders at <paramref name="tier"/>, worked out again only when the room's recorders change.</summary>
    private IRoomRecorder[] RecordersAt(IRoomRecorder[] recorders, OutputTier tier)
    {
        if (!ReferenceEquals(recorders, _recordersSeen))
        {
            _recordersSeen = recorders;
            _recordersByTier.Clear();
        }
        if (!_recordersByTier.TryGetValue(tier, out var atTier))
        {
            _recordersByTier[tier] = atTier = recorders.Where(r => r.Tier == tier).ToArray();
        }
        return atTier;
    }

    private List<MixMember> GroupFor(VideoOutputKey key)
    {
        if (!_groups.TryGetValue(key, out var list))
        {
            _groups[key] = list = [];
        }
        return list;
    }

    /// <summary>The output's arrangement, made again only when the template, the people or the speaker changed.</summary>
    private Arrangement ArrangementFor(VideoOutputKey key, LayoutTemplate? template, string? speaker)
    {
        if (_arrangements.TryGetValue(key, out var arrangement) && arrangement.Matches(template, _members, speaker))
        {
            return arrangement;
        }
        arrangement = new Arrangement(template, _members, speaker);
        _arrangements[key] = arrangement;
        return arrangement;
    }

    private VideoOutput GetOutput(VideoOutputKey key)
    {
        lock (_outputs)
        {
            if (!_outputs.TryGetValue(key, out var output))
            {
                _outputs[key] = output = new VideoOutput(key, _framesPerSecond, _style, _nowMs, _latency);
            }
            return output;
        }
    }

    private void CloseIdleOutputs(long nowMs)
    {
        lock (_outputs)
        {
            _idle.Clear();
            foreach (var (key, output) in _outputs)
            {
                if (nowMs - output.LastUsedMs > IdleOutputMs)
                {
                    _idle.Add(key);
                }
            }
            foreach (var key in _idle)
            {
                _outputs.Remove(key, out var output);
                output!.Dispose();
                _groups.Remove(key);
                _arrangements.Remove(key);
            }
        }
    }

    private static int CountScreens(List<MixMember> participants)
    {
        int screens = 0;
        foreach (var p in participants)
        {
            if (p.IsScreen)
            {
                screens++;
            }
        }
        return screens;
    }

    /// <summary>Who is where on one output's canvas, and the compositor's view of them.</summary>
    private sealed class Arrangement
    {
        private readonly LayoutTemplate? _template;
        private readonly MixMember[] _members;
        private readonly string? _speaker;
        private readonly string[] _names;
        private readonly MixMember[] _shown;   // per region, who is in it

        public Arrangement(LayoutTemplate? template, List<MixMember> members, string? speaker)
        {
            _template = template;
            _members = members.ToArray();
            _names = members.Select(m => m.DisplayName).ToArray();
            _speaker = speaker;
            var tiles = template is null
                ? []
                : LayoutArranger.Arrange(template, members.Select(p => new LayoutMember(p.Id, p.DisplayName, p.IsScreen)).ToList(), speaker);
            _shown = tiles.Select(t => members.First(m => m.Id == t.ParticipantId)).ToArray();
            Regions = tiles.Select(t => new LayoutRegion(t.X, t.Y, t.Width, t.Height, t.Z,
                t.Fit == RegionFit.Contain ? FitMode.Contain : FitMode.Cover)).ToList();
            Sources = _shown.Select(p => new CompositorSource { DisplayName = p.DisplayName, IsActiveSpeaker = p.Id == speaker }).ToList();
        }

        public List<LayoutRegion> Regions { get; }

        /// <summary>Notes on each one shown the size of their tile at <paramref name="tier"/>, keeping each one's largest of tick <paramref name="tick"/>.</summary>
        public void MeasureTiles(OutputTier tier, int tick)
        {
            for (int i = 0; i < _shown.Length; i++)
            {
                var p = _shown[i];
                int pixels = (int)(Regions[i].Width * tier.Width * Regions[i].Height * tier.Height);
                if (p.TileTick != tick)
                {
                    p.TileTick = tick;
                    p.TilePixelsThisTick = 0;
                }
                p.TilePixelsThisTick = Math.Max(p.TilePixelsThisTick, pixels);
            }
        }

        public List<CompositorSource> Sources { get; }

        public bool Matches(LayoutTemplate? template, List<MixMember> members, string? speaker)
        {
            if (!ReferenceEquals(template, _template) || speaker != _speaker || members.Count != _members.Length)
            {
                return false;
            }
            for (int i = 0; i < _members.Length; i++)
            {
                if (!ReferenceEquals(members[i], _members[i]) || !ReferenceEquals(members[i].DisplayName, _names[i]))
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>
        /// Puts each one's newest picture (held in <paramref name="held"/> until the tick ends) into the
        /// sources; returns when the newest of them arrived, and a signature that changes with any picture.
        /// </summary>
        public long TakeFrames(long nowMs, int staleMs, List<VideoFrame> held, out long signature)
        {
            long newestInputMs = -1;
            var hash = new HashCode();
            hash.Add(RuntimeHelpersHash(this));
            for (int i = 0; i < _shown.Length; i++)
            {
                var p = _shown[i];
                VideoFrame? frame = null;
                if (!p.VideoMuted && p.VideoIn is { } video && nowMs - video.LastFrameAtMs <= staleMs)
                {
                    frame = video.TakeLatest();
                    if (frame is not null)
                    {
                        held.Add(frame);
                        newestInputMs = Math.Max(newestInputMs, video.LastFrameAtMs);
                    }
                }
                Sources[i].Frame = frame;
                hash.Add(frame is null ? -1 : p.VideoIn!.FramesDecoded);
            }
            signature = hash.ToHashCode();
            return newestInputMs;
        }

        private static int RuntimeHelpersHash(object o) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(o);
    }
}
