using Mcu.Conference.Receive;
using Mcu.Media.Audio;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;

namespace Mcu.Conference.Mixing;

/// <summary>
/// The room's audio tick: every participant's next 20 ms into the mixer, then one Opus
/// encode of the full mix shared by everyone who is silent, and one encode of the
/// mix-minus (everyone but themselves) for each participant who is audible. The tick
/// reads each participant from the room's snapshot and knows nothing of the room itself.
/// While nobody sends audio, nothing is encoded.
/// </summary>
internal sealed class AudioMixing : IDisposable
{
    private readonly Action<string?> _speakerChanged;
    private readonly AudioMixer _mixer;
    private readonly ActiveSpeakerDetector _speaker;
    private readonly OpusEncoder _fullMixEncoder = new();
    private readonly MixMember?[] _slots;
    private readonly short[] _pcm = new short[AudioFormat.SamplesPerFrame];
    private readonly short[] _silence = new short[AudioFormat.SamplesPerFrame];
    private readonly byte[] _fullPacket = new byte[OpusEncoder.MaxPacketSize];
    private readonly byte[] _ownPacket = new byte[OpusEncoder.MaxPacketSize];
    private readonly double[] _levels;
    private readonly Lock _lock = new();
    private int _silentTicks;

    /// <param name="speakerChanged">Told the new active speaker's id (null: nobody) on the tick that saw it.</param>
    public AudioMixing(int maxParticipants, Action<string?> speakerChanged)
    {
        _speakerChanged = speakerChanged;
        _mixer = new AudioMixer(maxParticipants);
        _speaker = new ActiveSpeakerDetector(maxParticipants);
        _slots = new MixMember?[maxParticipants];
        _levels = new double[maxParticipants];
    }

    public string? SpeakerId { get; private set; }

    public int LastEncodeCount { get; private set; }

    public void Assign(MixMember participant)
    {
        if (participant.AudioIn is null)
        {
            return;
        }
        lock (_lock)
        {
            int slot = Array.IndexOf(_slots, null);
            if (slot < 0)
            {
                return; // more senders than slots: they are heard by nobody, but still see and hear the room
            }
            _slots[slot] = participant;
            participant.MixerSlot = slot;
        }
    }

    public void Release(MixMember participant)
    {
        lock (_lock)
        {
            int slot = participant.MixerSlot;
            if (slot >= 0 && _slots[slot] == participant)
            {
                _slots[slot] = null;
                _mixer.ClearInput(slot);
                _speaker.Remove(slot);
                participant.MixerSlot = -1;
            }
        }
    }

    public void Tick(RoomSnapshot room, long nowMs, long mediaMicros)
    {
        var participants = room.Connected;
        bool anyInput = false;
        lock (_lock)
        {
            for (int slot = 0; slot < _slots.Length; slot++)
            {
                var p = _slots[slot];
                if (p is not null && p.IsConnected && p.AudioIn!.TryReadFrame(_pcm) && !p.AudioMuted)
                {
                    _mixer.SetInput(slot, _pcm);
                    anyInput = true;
                }
                else
                {
                    _mixer.ClearInput(slot);
                }
            }
        }
        // A few silent ticks still go out so the limiter and the receivers' decoders fade out; then nothing.
        _silentTicks = anyInput ? 0 : _silentTicks + 1;
        var recorders = room.Recorders;
        if (_silentTicks > 5)
        {
            LastEncodeCount = 0;
            foreach (var recorder in recorders)
            {
                recorder.OnAudio(_silence, nowMs * 1000 - AudioReceiver.PlayoutDelayMicros); // a recording keeps its audio clock through silence
            }
            return;
        }

        _mixer.Mix();
        UpdateSpeaker();
        foreach (var recorder in recorders)
        {
            // When it arrived, as the recorder's video is stamped: what is mixed now came in about the
            // receive buffer's depth ago (held back against jitter), so stamping it now would put
            // the sound that much after the picture.
            recorder.OnAudio(_mixer.FullMix, nowMs * 1000 - AudioReceiver.PlayoutDelayMicros);
        }

        int fullLength = -1, encodes = 0;
        foreach (var participant in participants)
        {
            if (participant.AudioOut is not { } send)
            {
                continue;
            }
            int slot = participant.MixerSlot;
            if (slot >= 0 && _mixer.IsAudible(slot))
            {
                var encoder = participant.OwnMixEncoder ??= new OpusEncoder();
                int length = encoder.Encode(_mixer.MixMinus(slot), _ownPacket);
                encodes++;
                if (length > 0)
                {
                    send(_ownPacket.AsSpan(0, length), mediaMicros);
                }
                continue;
            }
            if (fullLength < 0)
            {
                fullLength = _fullMixEncoder.Encode(_mixer.FullMix, _fullPacket);
                encodes++;
            }
            if (fullLength > 0)
            {
                send(_fullPacket.AsSpan(0, fullLength), mediaMicros);
            }
        }
        LastEncodeCount = encodes;
    }

    public void Dispose() => _fullMixEncoder.Dispose();

    private void UpdateSpeaker()
    {
        for (int slot = 0; slot < _levels.Length; slot++)
        {
            _levels[slot] = _mixer.LevelDbov(slot);
        }
        if (!_speaker.Update(_levels))
        {
            return;
        }
        string? id = _speaker.CurrentSpeaker is int s ? _slots[s]?.Id : null;
        if (id != SpeakerId)
        {
            SpeakerId = id;
            _speakerChanged(id);
        }
    }
}
