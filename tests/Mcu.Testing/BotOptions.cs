using Mcu.Rtc.Ice;
using Mcu.Rtc.Sdp;

namespace Mcu.Testing;

/// <summary>What a <see cref="ParticipantBot"/> sends and how it behaves.</summary>
public sealed record BotOptions
{
    public string Name { get; init; } = "bot";

    /// <summary>The solid colour the bot's camera shows; null: send no video.</summary>
    public (byte R, byte G, byte B)? Colour { get; init; } = (200, 30, 30);

    /// <summary>The tone the bot's microphone plays; null: send no audio.</summary>
    public double? ToneHz { get; init; } = 440;

    /// <summary>
    /// Follow the server's REMB as a browser lowers its encode: replay frames made at 640x360,
    /// 320x180 and 160x90 and send the largest the asked bitrate allows (a keyframe at each switch).
    /// Needs <see cref="ReplayEncodedFrames"/>.
    /// </summary>
    public bool HonourRemb { get; init; }

    /// <summary>Start with the microphone sending silence (<see cref="ParticipantBot.Silent"/>), the tone only once it is turned on.</summary>
    public bool StartSilent { get; init; }

    public int Width { get; init; } = 640;
    public int Height { get; init; } = 360;
    public int FramesPerSecond { get; init; } = 30;
    public CodecKind VideoCodec { get; init; } = CodecKind.Vp8;

    /// <summary>Decode the video received (tests look at pixels); off, only frames are counted (load bots).</summary>
    public bool DecodeVideo { get; init; } = true;

    public SdpDirection Direction { get; init; } = SdpDirection.SendRecv;

    /// <summary>
    /// Encode a keyframe and a second of delta frames once, then replay them (the picture
    /// never changes, so the stream is the same): load bots then cost next to no CPU.
    /// </summary>
    public bool ReplayEncodedFrames { get; init; } = true;

    /// <summary>Sent as <c>Authorization: Bearer</c> on the WHIP POST and DELETE (admin key or room token).</summary>
    public string? BearerToken { get; init; }

    /// <summary>
    /// Every this many ms, for <see cref="FlashMs"/>, the picture turns white and a
    /// <see cref="FlashToneHz"/> beep plays, starting on the same instant (A/V sync tests). Null: never.
    /// </summary>
    public int? FlashEveryMs { get; init; }

    public int FlashMs { get; init; } = 200;

    public double FlashToneHz { get; init; } = 2000;

    /// <summary>Fraction of outgoing RTP packets to drop (simulated uplink loss, the client role's <c>LossSwitch</c>), 0..1.</summary>
    public double UplinkLoss { get; init; }

    /// <summary>Fraction of incoming RTP packets to drop (simulated downlink loss), 0..1.</summary>
    public double DownlinkLoss { get; init; }

    /// <summary>Seed of the loss switch's random drops.</summary>
    public int LossSeed { get; init; } = 7;

    /// <summary>Offer Opus in RED, and send it when the answer accepts it (copies of the two packets before).</summary>
    public bool Red { get; init; } = true;

    /// <summary>The loss the Opus encoder's in-band FEC is tuned for, in percent; 0: no FEC.</summary>
    public int FecLossPercent { get; init; } = 10;

    /// <summary>Opus DTX: in silence send about one packet per 400 ms (a <see cref="ToneHz"/> of 0 is silence).</summary>
    public bool Dtx { get; init; }

    /// <summary>TCP: join over the server's passive ICE-TCP candidate, as a client whose UDP is blocked.</summary>
    public TransportProtocol Protocol { get; init; } = TransportProtocol.Udp;
}
