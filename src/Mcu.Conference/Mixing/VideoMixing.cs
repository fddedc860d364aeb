using System.Collections.Concurrent;
using Mcu.Conference.Layouts;
using Mcu.Conference.Rooms;
using Mcu.Media.Compositing;
using Mcu.Media.Frames;

namespace Mcu.Conference.Mixing;

/// <summary>
/// The room's video tick: lays out who is in the room, takes each one's newest
/// picture (the last one while it is fresh, the placeholder once it is stale or muted),
/// and renders each distinct output — layout × tier × codec, or a personal canvas —
/// once, for all its subscribers. Outputs nobody uses any more are closed.
/// </summary>
internal sealed class VideoMixing : IDisposable
{
    private const int IdleOutputMs = 5000;

    private readonly Room _room;
    private readonly Dictionary<VideoOutputKey, VideoOutput> _outputs = new();
    private readonly ConcurrentDictionary<Participant, bool> _keyframeRequests = new();
    private readonly ConcurrentDictionary<Participant, VideoOutputKey> _currentKey = new();
    private readonly Dictionary<VideoOutputKey, List<Participant>> _groups = new();
    private readonly List<VideoFrame> _held = [];
    private readonly CompositorStyle _style = new();

    public VideoMixing(Room room) => _room = room;

    /// <summary>Outputs that rendered for someone in the last tick (idle ones linger a few seconds before closing).</summary>
    public int OutputCount => Volatile.Read(ref _activeOutputs);

    private int _activeOutputs;

    public void RequestKeyframe(Participant participant, bool urgent) =>
        _keyframeRequests.AddOrUpdate(participant, urgent, (_, was) => was || urgent);

    public void Forget(Participant participant)
    {
        _keyframeRequests.TryRemove(participant, out _);
        _currentKey.TryRemove(participant, out _);
    }

    public void Tick(long nowMs, long mediaMicros)
    {
        var receivers = _room.ConnectedParticipants().Where(p => p.VideoOut is not null).ToList();
        var recorders = _room.Recorders;
        if (receivers.Count == 0 && recorders.Count == 0)
        {
            Volatile.Write(ref _activeOutputs, 0);
            CloseIdleOutputs(nowMs);
            return;
        }
        var visible = _room.VisibleParticipants();
        var template = _room.CurrentTemplate;
        string layoutName = template?.Name ?? "none";

        foreach (var group in _groups.Values)
        {
            group.Clear();
        }
        foreach (var p in receivers)
        {
            // A personal canvas (hide-self) is laid out for the people on it: everyone but its viewer.
            bool personal = _room.Options.HideSelf;
            string layout = personal ? _room.ResolveTemplate(visible.Count(v => v != p))?.Name ?? "none" : layoutName;
            var key = new VideoOutputKey(layout, p.Tier, p.OutputCodec, personal ? p.Id : null);
            if (!_groups.TryGetValue(key, out var list))
            {
                _groups[key] = list = [];
            }
            list.Add(p);
            if (!_currentKey.TryGetValue(p, out var previous) || previous != key)
            {
                // A participant moving to another output needs a keyframe from it to start decoding.
                _currentKey[p] = key;
                RequestKeyframe(p, urgent: true);
            }
        }

        foreach (var recorder in recorders)
        {
            var key = new VideoOutputKey(layoutName, recorder.Tier, Media.Codecs.VideoCodec.H264, null);
            if (!_groups.ContainsKey(key))
            {
                _groups[key] = [];
            }
        }

        int active = 0;
        try
        {
            foreach (var (key, subscribers) in _groups)
            {
                // Recorders take the shared canvas of the current layout at their tier, in H.264.
                var keyRecorders = key.PersonalFor is null && key.Layout == layoutName && key.Codec == Media.Codecs.VideoCodec.H264
                    ? recorders.Where(r => r.Tier == key.Tier).ToArray()
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
                var members = visible.Where(p => key.PersonalFor is null || p.Id != key.PersonalFor).ToList();
                var keyTemplate = key.PersonalFor is null ? template : _room.ResolveTemplate(members.Count);
                output.SetRecorders(keyRecorders);
                var (regions, sources, signature, newestInputMs) = Arrange(keyTemplate, members, nowMs);
                output.Render(regions, sources, signature, newestInputMs, subscribers, nowMs, mediaMicros);
            }
        }
        finally
        {
            foreach (var frame in _held)
            {
                frame.Release();
            }
            _held.Clear();
        }
        Volatile.Write(ref _activeOutputs, active);
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

    private (List<LayoutRegion>, List<CompositorSource>, long Signature, long NewestInputMs) Arrange(LayoutTemplate? template, List<Participant> members, long nowMs)
    {
        var regions = new List<LayoutRegion>(members.Count);
        var sources = new List<CompositorSource>(members.Count);
        var hash = new HashCode();
        long newestInputMs = -1;
        if (template is null)
        {
            return (regions, sources, 0, newestInputMs);
        }
        var tiles = LayoutArranger.Arrange(template, members.Select(p => new LayoutMember(p.Id, p.DisplayName)).ToList(), _room.SpeakerId);
        string? speaker = _room.SpeakerId;
        hash.Add(template.Name);
        hash.Add(speaker);
        foreach (var tile in tiles)
        {
            var p = members.First(m => m.Id == tile.ParticipantId);
            VideoFrame? frame = null;
            if (!p.VideoMuted && p.VideoIn is { } video && nowMs - video.LastFrameAtMs <= _room.Options.StaleVideoMs)
            {
                frame = video.TakeLatest();
                if (frame is not null)
                {
                    _held.Add(frame);
                    newestInputMs = Math.Max(newestInputMs, video.LastFrameAtMs);
                }
            }
            regions.Add(new LayoutRegion(tile.X, tile.Y, tile.Width, tile.Height, tile.Z,
                tile.Fit == RegionFit.Contain ? FitMode.Contain : FitMode.Cover));
            sources.Add(new CompositorSource { DisplayName = p.DisplayName, Frame = frame, IsActiveSpeaker = p.Id == speaker });
            hash.Add(tile);
            hash.Add(p.DisplayName);
            hash.Add(frame is null ? -1 : p.VideoIn!.FramesDecoded);
        }
        return (regions, sources, hash.ToHashCode(), newestInputMs);
    }

    private VideoOutput GetOutput(VideoOutputKey key)
    {
        lock (_outputs)
        {
            if (!_outputs.TryGetValue(key, out var output))
            {
                _outputs[key] = output = new VideoOutput(key, _room.Options.FramesPerSecond, _style, () => _room.NowMs, _room.Latency);
            }
            return output;
        }
    }

    private void CloseIdleOutputs(long nowMs)
    {
        lock (_outputs)
        {
            foreach (var (key, output) in _outputs.Where(o => nowMs - o.Value.LastUsedMs > IdleOutputMs).ToList())
            {
                output.Dispose();
                _outputs.Remove(key);
                _groups.Remove(key);
            }
        }
    }
}
