using System.Collections.Concurrent;
using Mcu.Rtc.Sdp;

namespace Mcu.Server.Api;

/// <summary>
/// The video codecs each room accepts (set when it is created through the API; rooms
/// created by a WHIP join accept every codec we mix). Checked against the negotiated answer.
/// </summary>
public sealed class RoomCodecs
{
    public static readonly IReadOnlyList<string> All = ["vp8", "h264"];

    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _rooms = new(StringComparer.Ordinal);

    public IReadOnlyList<string> For(string room) => _rooms.GetValueOrDefault(room, All);

    public void Set(string room, IReadOnlyList<string> codecs) => _rooms[room] = codecs;

    public void Forget(string room) => _rooms.TryRemove(room, out _);

    /// <summary>Throws <see cref="SdpNegotiationException"/> when the negotiated video codec is not allowed in the room.</summary>
    public void Check(string room, SdpAnswer answer)
    {
        if (answer.Video is { } video && !For(room).Contains(Name(video.Codec)))
        {
            throw new SdpNegotiationException(
                $"room '{room}' accepts video in {string.Join(", ", For(room))}; the offer negotiated {Name(video.Codec)}");
        }
    }

    public static string Name(CodecKind codec) => codec.ToString().ToLowerInvariant();
}
