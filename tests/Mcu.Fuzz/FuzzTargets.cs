using Mcu.Fuzz.Targets;

namespace Mcu.Fuzz;

/// <summary>
/// One target per thing that reads bytes from the outside. A target may reject its input
/// in any documented way (false, a parse exception of its own type); anything else it
/// throws, or a hang, is a bug. Targets also check invariants that must hold for any input
/// (what we write re-parses, what we protect unprotects), throwing <see cref="FuzzInvariantException"/>.
/// </summary>
public static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["stun"] = PacketTargets.Stun,
        ["ice-lite"] = PacketTargets.IceLite,
        ["rtp"] = PacketTargets.Rtp,
        ["rtcp"] = PacketTargets.Rtcp,
        ["srtp"] = SrtpTarget.Run,
        ["sdp"] = SdpTarget.Run,
        ["vp8"] = MediaTargets.Vp8,
        ["h264"] = MediaTargets.H264,
        ["picture-size"] = MediaTargets.PictureSize,
        ["jitter"] = MediaTargets.JitterToFrames,
        ["red"] = RedTarget.Run,
        ["dtls"] = DtlsTarget.Run,
        ["layout"] = TextTargets.Layout,
        ["room-token"] = TextTargets.RoomToken,
    };
}

/// <summary>An input broke a property that must hold for every input: a bug, reported as a crash.</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);
