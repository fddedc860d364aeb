using Mcu.Conference.Mixing;
using Mcu.Conference.Receive;
using Mcu.Conference.Send;
using Mcu.Rtc.Session;
using Mcu.Media.Codecs;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Sdp;
using Mcu.Rtc.Transport;

namespace Mcu.Conference.Rooms;

public enum ParticipantRole
{
    /// <summary>Sends audio and video (WHIP) and receives the mix.</summary>
    Participant,

    /// <summary>Only receives the mix (WHEP).</summary>
    Viewer,

    /// <summary>A shared screen: a participant's second WHIP session (<c>?role=screen</c>), video only, sent nothing; shown in screen regions.</summary>
    Screen,
}

/// <summary>
/// Someone in a room, over one WebRTC connection: what they send (decoded for the
/// mix), and the one composited video and one mix-minus audio stream they receive,
/// on SSRCs of their own. RTP statistics and RTCP both ways are its <see cref="RtpSession"/>'s
/// (Mcu.Rtc): this class acts on what the session reports (keyframes, loss that moves the tier).
/// </summary>
public sealed class Participant : IRtcConnectionHandler, IDisposable
{
    private readonly Room _room;
    private readonly RtpSession _session;
    private readonly byte[] _rtcpBuffer = new byte[1300];
    private long _lostCounted;   // the video receive stream's losses already added to the metric

    internal Participant(Room room, string id, string displayName, ParticipantRole role, SdpAnswer answer, uint audioSsrc, uint videoSsrc, string cname, OutputTier tier, OutputTier ceiling)
    {
        _room = room;
        Id = id;
        DisplayName = displayName;
        Role = role;
        Cname = cname;
        RemoteIceUfrag = answer.RemoteIceUfrag;
        Tiers = new TierSelector(tier, ceiling);
        if (answer.Audio is { } audio)
        {
            if (audio.RemoteDirection is SdpDirection.SendRecv or SdpDirection.SendOnly && role == ParticipantRole.Participant)
            {
                AudioIn = new AudioReceiver(audio.PayloadType, audio.AudioLevelExtId, room.Options.Decoders.CreateAudio(), audio.RedPayloadType, room.Options.LossRecovery);
                AudioIn.SetVoiceProcessing(room.Options.NoiseSuppression, room.Options.AutoGain);
            }
            if (audio.RemoteDirection is SdpDirection.SendRecv or SdpDirection.RecvOnly && role != ParticipantRole.Screen)
            {
                // Opus in RED when negotiated: copies of earlier packets once the receiver reports loss.
                bool red = audio.RedPayloadType is not null && room.Options.LossRecovery;
                AudioOut = new RtpSendStream(audioSsrc, red ? audio.RedPayloadType!.Value : audio.PayloadType, 48_000, keepHistory: false);
                AudioDownlink = red ? new AudioDownlink(AudioOut, audio.PayloadType) : null;
            }
        }
        if (answer.Video is { } video)
        {
            var codec = video.Codec == CodecKind.H264 ? VideoCodec.H264 : VideoCodec.Vp8;
            OutputCodec = codec;
            if (video.RemoteDirection is SdpDirection.SendRecv or SdpDirection.SendOnly && role is ParticipantRole.Participant or ParticipantRole.Screen)
            {
                var max = room.Options.MaxInputSize;
                VideoIn = new VideoReceiver(codec, video.PayloadType, max, room.Options.Decoders.CreateVideo(codec, max.Width, max.Height), room.VideoDecoding);
                VideoIn.PictureTooLarge += (width, height) => _room.OnPictureTooLarge(this, width, height);
                VideoIn.DecodeFailed += e => _room.OnParticipantFailed(this, "video decode", e);
            }
            if (video.RemoteDirection is SdpDirection.SendRecv or SdpDirection.RecvOnly && role != ParticipantRole.Screen)
            {
                VideoOut = new RtpSendStream(videoSsrc, video.PayloadType, 90_000, keepHistory: video.Nack);
                VideoQueue = new SendQueue(room.Pacer, SendVideo);
            }
        }
        var transportCc = answer.Video is { TransportCc: true } || answer.Audio is { TransportCc: true }
            ? answer.Video?.TransportCcExtId ?? answer.Audio?.TransportCcExtId
            : null;
        _session = new RtpSession(new RtpSessionOptions
        {
            Cname = cname,
            TransportCcExtensionId = transportCc,   // the sender's estimator needs our arrival times
            VideoNack = answer.Video is { Nack: true },
            Remb = answer.Video is { GoogRemb: true },
        })
        {
            VideoIn = VideoIn,
            VideoOut = VideoOut,
            AudioOut = AudioOut,
        };
    }

    public string Id { get; }

    public string DisplayName { get; set; }

    public ParticipantRole Role { get; }

    /// <summary>A shared screen rather than a person.</summary>
    public bool IsScreen => Role == ParticipantRole.Screen;

    public string Cname { get; }

    public DateTimeOffset JoinedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>The ICE username fragment of their offer: a trickle PATCH names it, an ICE restart a new one.</summary>
    public string RemoteIceUfrag { get; }

    public PeerState State { get; private set; } = PeerState.New;

    /// <summary>Left out of the audio mix (by the API).</summary>
    public bool AudioMuted { get; set; }

    /// <summary>Shown as a placeholder instead of their video (by the API).</summary>
    public bool VideoMuted { get; set; }

    /// <summary>Always on the canvas, even in a room with more people than its layout shows (by the API).</summary>
    public bool Pinned { get; set; }

    /// <summary>
    /// On the canvas now. In a room with more people than its layout shows, who is seen follows
    /// the voice (last N, <see cref="Mixing.Stage"/>); the others' video is not decoded.
    /// </summary>
    public bool OnStage => Member?.OnStage ?? false;

    /// <summary>The mixers' view of this participant, set by the room when they join.</summary>
    internal MixMember? Member { get; set; }

    public VideoCodec OutputCodec { get; } = VideoCodec.Vp8;

    public TierSelector Tiers { get; }

    public OutputTier Tier => Tiers.Current;

    internal RtcConnection? Connection { get; private set; }

    internal AudioReceiver? AudioIn { get; }

    internal VideoReceiver? VideoIn { get; }

    internal RtpSendStream? AudioOut { get; }

    /// <summary>The mix in RED to this participant, when they negotiated it (sent through <see cref="AudioOut"/>).</summary>
    internal AudioDownlink? AudioDownlink { get; }

    internal RtpSendStream? VideoOut { get; }

    /// <summary>The composited frames on their way to this participant, sent by the room's pacer.</summary>
    internal SendQueue? VideoQueue { get; }

    internal RtpSession Session => _session;

    public bool IsConnected => State == PeerState.Connected;

    public bool SendsVideo => VideoIn is not null;

    /// <summary>Noise suppression on what they send, before the mix.</summary>
    public bool NoiseSuppression => AudioIn?.NoiseSuppression ?? false;

    /// <summary>Automatic gain on what they send, before the mix.</summary>
    public bool AutoGain => AudioIn?.AutoGain ?? false;

    /// <summary>Noise suppression and automatic gain on what they send (null: unchanged); false when they send no audio or nothing changed.</summary>
    public bool SetVoiceProcessing(bool? noiseSuppression, bool? autoGain)
    {
        if (AudioIn is not { } audio)
        {
            return false;
        }
        bool ns = noiseSuppression ?? audio.NoiseSuppression, agc = autoGain ?? audio.AutoGain;
        if (ns == audio.NoiseSuppression && agc == audio.AutoGain)
        {
            return false;
        }
        audio.SetVoiceProcessing(ns, agc);
        return true;
    }

    /// <summary>Binds the participant to its connection (made from the same answer).</summary>
    public void Attach(RtcConnection connection) => Connection = connection;

    public void OnStateChanged(RtcConnection connection, PeerState state)
    {
        State = state;
        if (state == PeerState.Connected)
        {
            _room.OnParticipantConnected(this);
        }
        else if (state is PeerState.Closed or PeerState.Failed)
        {
            _room.Remove(this, connection.Peer.FailureReason ?? "left");
        }
    }

    public void OnRtp(RtcConnection connection, Span<byte> packet)
    {
        if (!RtpPacket.TryParse(packet, out var rtp))
        {
            return;
        }
        long nowMicros = _room.NowMicros;
        if (VideoIn is not null && rtp.PayloadType == VideoIn.PayloadType)
        {
            _session.OnRtp(rtp, audio: false, nowMicros);
            VideoIn.OnRtp(rtp, nowMicros / 1000);
        }
        else if (AudioIn is not null && (rtp.PayloadType == AudioIn.PayloadType || rtp.PayloadType == AudioIn.RedPayloadType))
        {
            _session.OnRtp(rtp, audio: true, nowMicros);
            AudioIn.OnRtp(rtp);
        }
    }

    public void OnRtcp(RtcConnection connection, Span<byte> packet)
    {
        long nacksBefore = _session.NacksReceived;
        long refusedBefore = VideoOut?.RetransmissionsRefused ?? 0;
        ulong ntpNow = _room.NtpNow(out _);
        long nowMs = _room.NowMs;
        var feedback = _session.OnRtcp(connection, packet, nowMs, ntpNow);
        McuMetrics.NacksReceived.Add(_session.NacksReceived - nacksBefore);
        McuMetrics.RetransmissionsRefused.Add((VideoOut?.RetransmissionsRefused ?? 0) - refusedBefore);
        if (feedback.KeyframeRequests > 0)
        {
            McuMetrics.KeyframeRequestsReceived.Add(feedback.KeyframeRequests);
            _room.RequestKeyframe(this);
        }
        if (feedback.AudioFractionLost is { } audioLoss)
        {
            AudioDownlink?.OnLossReport(audioLoss);   // RED copies to a listener who loses audio
        }
        if (feedback.VideoLoss is { } loss && Tiers.OnLossReport(loss.FractionLost, loss.ExtendedHighestSequence, nowMs))
        {
            _room.RequestKeyframe(this);
        }
    }

    /// <summary>The least and most our REMB asks of a participant's video encoder.</summary>
    public const uint MinUplinkBps = 100_000, MaxUplinkBps = 1_200_000;

    /// <summary>
    /// What to ask of a participant's video encoder for a tile of <paramref name="pixels"/> (their
    /// largest on any output, 0 when not shown): about 3 bit/s a pixel, so a browser lowers its
    /// resolution to what the tile shows and the server decodes no more than that.
    /// </summary>
    public static uint UplinkBpsForTile(int pixels) => (uint)Math.Clamp(3L * pixels, MinUplinkBps, MaxUplinkBps);

    /// <summary>
    /// The transport's timer (every 20 ms): the session's RTCP that is due — NACKs and keyframe
    /// requests for what we receive, TWCC feedback, reports every second.
    /// </summary>
    public void OnTimer(RtcConnection connection)
    {
        if (!IsConnected)
        {
            return;
        }
        if (Member is { } member && VideoIn is not null)
        {
            _session.WantedUplinkBps = UplinkBpsForTile(member.TilePixels);
        }
        long nacksBefore = _session.NacksSent;
        long plisBefore = _session.KeyframeRequestsSent;
        ulong ntpNow = _room.NtpNow(out long mediaMicros);
        long nowMs = mediaMicros / 1000;
        int length;
        while ((length = _session.PollRtcp(nowMs, ntpNow, mediaMicros, _rtcpBuffer)) > 0)
        {
            connection.SendRtcp(_rtcpBuffer, length);
        }
        McuMetrics.NacksSent.Add(_session.NacksSent - nacksBefore);
        McuMetrics.KeyframeRequestsSent.Add(_session.KeyframeRequestsSent - plisBefore);
        if (VideoIn is { } video && video.PacketsLost is var lost && lost > _lostCounted)
        {
            McuMetrics.PacketsLost.Add(lost - _lostCounted);
            _lostCounted = lost;
        }
    }

    /// <summary>The pacer's sink: one packet of an output frame, under this participant's SSRC and sequence numbers.</summary>
    private void SendVideo(ReadOnlySpan<byte> payload, long mediaMicros, bool marker)
    {
        if (Connection is not { } connection)
        {
            return;
        }
        try
        {
            VideoOut!.Send(connection, payload, mediaMicros, marker);
        }
        catch (Exception e)
        {
            // On the pacer, which serves every room: said once, the packet is lost, the pacer goes on.
            if (Interlocked.Increment(ref _sendFailures) == 1)
            {
                _room.OnParticipantFailed(this, "video send", e);
            }
        }
    }

    private long _sendFailures;

    /// <summary>Counters of what this participant sent and received, for the API, metrics and tests.</summary>
    public ParticipantStats GetStats() => new(
        VideoFramesDecoded: VideoIn?.FramesDecoded ?? 0,
        VideoPacketsReceived: VideoIn?.PacketsReceived ?? 0,
        VideoPacketsLost: VideoIn?.PacketsLost ?? 0,
        AudioPacketsReceived: AudioIn?.PacketsReceived ?? 0,
        AudioFramesConcealed: AudioIn?.FramesConcealed ?? 0,
        NacksSent: _session.NacksSent,
        KeyframeRequestsSent: _session.KeyframeRequestsSent,
        NacksReceived: _session.NacksReceived,
        KeyframeRequestsReceived: _session.KeyframeRequestsReceived,
        VideoPacketsSent: VideoOut?.PacketsSent ?? 0,
        AudioPacketsSent: AudioOut?.PacketsSent ?? 0,
        Retransmissions: VideoOut?.Retransmissions ?? 0,
        RoundTripMs: _session.RoundTripMs,
        RetransmissionsRefused: VideoOut?.RetransmissionsRefused ?? 0,
        VideoPicturesTooLarge: VideoIn?.PicturesTooLarge ?? 0,
        VideoDecodeFailures: VideoIn?.DecodeFailures ?? 0,
        AudioPacketsDropped: AudioIn?.PacketsDropped ?? 0,
        VideoFramesDropped: VideoIn?.FramesDropped ?? 0,
        VideoFramesUnsent: VideoQueue?.FramesDropped ?? 0,
        VideoFramesHidden: VideoIn?.FramesHidden ?? 0,
        VideoInputWidth: VideoIn?.PictureWidth ?? 0,

        AudioFramesDecoded: AudioIn?.FramesDecoded ?? 0,
        AudioFramesRecoveredByRed: AudioIn?.FramesRecoveredByRed ?? 0,
        AudioFramesRecoveredByFec: AudioIn?.FramesRecoveredByFec ?? 0,
        AudioFramesSilent: AudioIn?.FramesSilent ?? 0);

    public void Dispose()
    {
        AudioIn?.Dispose();
        VideoIn?.Dispose();
        VideoQueue?.Clear();
    }
}
