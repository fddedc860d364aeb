namespace Mcu.Conference.Mixing;

/// <summary>
/// Who is seen when a room holds more people than its layout shows ("last N"): the room's people
/// in stage order, the first <c>capacity</c> of whom are on the canvas. The order follows the
/// voice. Someone off stage who speaks (<see cref="MixMember.LastSpokeMs"/>, set by the audio
/// mixer after a fifth of a second of speech) takes the place of the visible person silent the
/// longest, so the tiles around them do not move. Hysteresis keeps tiles from flickering: whoever
/// is replaced has been silent for <see cref="ReplaceSilentForMs"/> and on stage for
/// <see cref="MinOnStageMs"/>. Pinned people and the speaker role (pinned or active) are always
/// on stage. Newcomers join at the end: on stage while there is room.
/// Pure: the video tick calls <see cref="Arrange"/> with the time; no clock or thread of its own.
/// </summary>
internal sealed class Stage
{
    /// <summary>A visible person silent at least this long may give their place to someone who speaks.</summary>
    public const long ReplaceSilentForMs = 3000;

    /// <summary>Someone brought on stage stays at least this long (unless they leave).</summary>
    public const long MinOnStageMs = 4000;

    /// <summary>Someone off stage who spoke within this is brought in.</summary>
    public const long RecentSpeechMs = 1000;

    private readonly List<MixMember> _order = [];
    private readonly Dictionary<MixMember, long> _since = [];   // when each came on stage
    private readonly HashSet<MixMember> _present = [];
    private int _lastVisibleCount = -1;

    /// <summary>
    /// Puts <paramref name="people"/> (the room's people, in join order) in stage order, in place,
    /// so the first <paramref name="capacity"/> are the visible ones. True when who is visible changed.
    /// </summary>
    public bool Arrange(List<MixMember> people, int capacity, string? speakerId, long nowMs)
    {
        bool changed = Sync(people, capacity, nowMs);
        capacity = Math.Min(capacity, _order.Count);
        if (_order.Count > capacity)
        {
            // The speaker role and the pinned are always seen.
            for (int i = capacity; i < _order.Count; i++)
            {
                if (Protected(_order[i], speakerId) && LongestSilent(capacity, speakerId, nowMs, ignoreHysteresis: true) is int slot)
                {
                    Swap(slot, i, capacity, nowMs);
                    changed = true;
                }
            }
            // Then whoever speaks off stage, the most recent first.
            while (MostRecentSpeakerOffStage(capacity, nowMs) is int candidate
                   && LongestSilent(capacity, speakerId, nowMs, ignoreHysteresis: false) is int slot)
            {
                Swap(slot, candidate, capacity, nowMs);
                changed = true;
            }
        }
        people.Clear();
        people.AddRange(_order);
        if (capacity != _lastVisibleCount)
        {
            _lastVisibleCount = capacity;
            changed = true;
        }
        return changed;
    }

    /// <summary>Takes out who left, appends who came (on stage from now if within capacity).</summary>
    private bool Sync(List<MixMember> people, int capacity, long nowMs)
    {
        bool changed = false;
        _present.Clear();
        foreach (var p in people)
        {
            _present.Add(p);
        }
        for (int i = _order.Count - 1; i >= 0; i--)
        {
            if (!_present.Contains(_order[i]))
            {
                _since.Remove(_order[i]);
                _order.RemoveAt(i);
                changed = true;
            }
        }
        foreach (var p in people)
        {
            if (!_since.ContainsKey(p))
            {
                _since[p] = _order.Count < capacity ? nowMs : long.MaxValue;
                _order.Add(p);
                changed = true;
            }
        }
        // Someone who left made room: whoever moved up onto the stage counts from now.
        for (int i = 0; i < Math.Min(capacity, _order.Count); i++)
        {
            if (_since[_order[i]] == long.MaxValue)
            {
                _since[_order[i]] = nowMs;
            }
        }
        return changed;
    }

    private static bool Protected(MixMember p, string? speakerId) => p.Pinned || p.Id == speakerId;

    /// <summary>The visible, unprotected person silent the longest, if they may be replaced.</summary>
    private int? LongestSilent(int capacity, string? speakerId, long nowMs, bool ignoreHysteresis)
    {
        int? best = null;
        for (int i = 0; i < capacity; i++)
        {
            var p = _order[i];
            if (Protected(p, speakerId))
            {
                continue;
            }
            if (!ignoreHysteresis && (nowMs - p.LastSpokeMs < ReplaceSilentForMs || nowMs - _since[p] < MinOnStageMs))
            {
                continue;
            }
            if (best is null || p.LastSpokeMs < _order[best.Value].LastSpokeMs)
            {
                best = i;
            }
        }
        return best;
    }

    private int? MostRecentSpeakerOffStage(int capacity, long nowMs)
    {
        int? best = null;
        for (int i = capacity; i < _order.Count; i++)
        {
            var p = _order[i];
            if (nowMs - p.LastSpokeMs <= RecentSpeechMs && (best is null || p.LastSpokeMs > _order[best.Value].LastSpokeMs))
            {
                best = i;
            }
        }
        return best;
    }

    /// <summary>
    /// The one off stage at <paramref name="offStage"/> takes the visible place <paramref name="onStage"/>;
    /// who leaves goes to the front of those off stage (first back should a place free up).
    /// </summary>
    private void Swap(int onStage, int offStage, int capacity, long nowMs)
    {
        var leaving = _order[onStage];
        var coming = _order[offStage];
        _order[onStage] = coming;
        _order.RemoveAt(offStage);
        _order.Insert(capacity, leaving);
        _since[coming] = nowMs;
        _since[leaving] = long.MaxValue;
    }
}
