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
/// While nobody sends audio, nothing is encoded. The decodes, and then the encodes, of a tick are
/// independent of each other: they are spread over the node's <see cref="MixWorkers"/>.
/// </summary>
internal sealed class AudioMixing : IDisposable
{
    private readonly Action<string?> _speakerChanged;
    private readonly AudioMixer _mixer;
    private readonly ActiveSpeakerDetector _speaker;
    private readonly OpusEncoder _fullMixEncoder = new();
    private readonly MixMember?[] _slots;
    private readonly short[] _silence = new short[AudioFormat.SamplesPerFrame];
    private readonly byte[] _fullPacket = new byte[OpusEncoder.MaxPacketSize];
    private readonly double[] _levels;
    private readonly Lock _lock = new();
    private readonly MixWorkers _workers;
    private readonly ParallelBatch _batch = new();
    private readonly DecodeWork _decodeWork;
    private readonly EncodeWork _encodeWork;
    private readonly int[] _inputSlots;
    private readonly short[][] _decoded;
    private int _inputCount;
    private int _anyInput;
    private readonly List<MixMember> _ownMix = [];
    private int _fullLength;
    private int _silentTicks;

    /// <param name="speakerChanged">Told the new active speaker's id (null: nobody) on the tick that saw it.</param>
    public AudioMixing(int maxParticipants, Action<string?> speakerChanged, MixWorkers? workers = null)
    {
        _speakerChanged = speakerChanged;
        _workers = workers ?? MixWorkers.Shared;
        _decodeWork = new DecodeWork(this);
        _encodeWork = new EncodeWork(this);
        _inputSlots = new int[maxParticipants];
        _decoded = new short[maxParticipants][];
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
        lock (_lock)
        {
            // Under the lock, so nobody's receiver is released (and disposed) mid-decode.
            _inputCount = 0;
            for (int slot = 0; slot < _slots.Length; slot++)
            {
                if (_slots[slot] is { IsConnected: true })
                {
                    _inputSlots[_inputCount++] = slot;
                }
                else
                {
                    _mixer.ClearInput(slot);
                }
            }
            _anyInput = 0;
            _workers.Run(_batch, _decodeWork, _inputCount);
        }
        bool anyInput = _anyInput != 0;
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
        MarkSpeech(nowMs);
        foreach (var recorder in recorders)
        {
            // When it arrived, as the recorder's video is stamped: what is mixed now came in about the
            // receive buffer's depth ago (held back against jitter), so stamping it now would put
            // the sound that much after the picture.
            recorder.OnAudio(_mixer.FullMix, nowMs * 1000 - AudioReceiver.PlayoutDelayMicros);
        }

        // Who gets their own mix-minus (the audible), and whether anyone takes the shared full mix.
        _ownMix.Clear();
        bool fullMixWanted = false;
        foreach (var participant in participants)
        {
            if (participant.AudioOut is null)
            {
                continue;
            }
            if (participant.MixerSlot >= 0 && _mixer.IsAudible(participant.MixerSlot))
            {
                _ownMix.Add(participant);
            }
            else
            {
                fullMixWanted = true;
            }
        }
        // Item 0 is the full mix (when wanted), then one per audible listener: each encodes and sends its own.
        _encodeWork.MediaMicros = mediaMicros;
        _encodeWork.FullMixWanted = fullMixWanted;
        _fullLength = -1;
        _workers.Run(_batch, _encodeWork, _ownMix.Count + (fullMixWanted ? 1 : 0));
        if (_fullLength > 0)
        {
            foreach (var participant in participants)
            {
                if (participant.AudioOut is { } send && !(participant.MixerSlot >= 0 && _mixer.IsAudible(participant.MixerSlot)))
                {
                    send(_fullPacket.AsSpan(0, _fullLength), mediaMicros);
                }
            }
        }
        LastEncodeCount = _ownMix.Count + (fullMixWanted ? 1 : 0);
    }

    /// <summary>One participant's next 20 ms, decoded into the mixer. Items run at once on different slots.</summary>
    private sealed class DecodeWork(AudioMixing mixing) : IParallelWork
    {
        public void Run(int index)
        {
            int slot = mixing._inputSlots[index];
            var p = mixing._slots[slot]!;
            var pcm = mixing._decoded[slot] ??= new short[AudioFormat.SamplesPerFrame];
            if (p.AudioIn!.TryReadFrame(pcm) && !p.AudioMuted)
            {
                mixing._mixer.SetInput(slot, pcm);
                Volatile.Write(ref mixing._anyInput, 1);
            }
            else
            {
                mixing._mixer.ClearInput(slot);
            }
        }
    }

    /// <summary>The full mix's encode, or one audible listener's mix-minus encoded and sent.</summary>
    private sealed class EncodeWork(AudioMixing mixing) : IParallelWork
    {
        public long MediaMicros { get; set; }

        public bool FullMixWanted { get; set; }

        public void Run(int index)
        {
            if (FullMixWanted && index == 0)
            {
                mixing._fullLength = mixing._fullMixEncoder.Encode(mixing._mixer.FullMix, mixing._fullPacket);
                return;
            }
            var participant = mixing._ownMix[FullMixWanted ? index - 1 : index];
            var encoder = participant.OwnMixEncoder ??= new OpusEncoder();
            var packet = participant.OwnMixPacket ??= new byte[OpusEncoder.MaxPacketSize];
            int length = encoder.Encode(mixing._mixer.MixMinus(participant.MixerSlot), packet);
            if (length > 0)
            {
                participant.AudioOut!(packet.AsSpan(0, length), MediaMicros);
            }
        }
    }

    public void Dispose() => _fullMixEncoder.Dispose();

    /// <summary>Audible ticks in a row that make speech (a fifth of a second), and silent ones that end it.</summary>
    private const int SpeechTicks = 10;

    /// <summary>Sets <see cref="MixMember.LastSpokeMs"/> for who has been audible long enough: the stage follows it.</summary>
    private void MarkSpeech(long nowMs)
    {
        for (int slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is not { } p)
            {
                continue;
            }
            if (_mixer.IsAudible(slot))
            {
                p.SilentTicks = 0;
                if (++p.AudibleTicks >= SpeechTicks)
                {
                    p.LastSpokeMs = nowMs;
                }
            }
            else if (++p.SilentTicks >= SpeechTicks)
            {
                p.AudibleTicks = 0;
            }
        }
    }

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
