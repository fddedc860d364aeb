using Mcu.Conference.Rooms;
using Mcu.Server.Auth;

namespace Mcu.Server.Conference;

/// <summary><c>GET /api/rooms/{room}/stats</c>: what the room's media engine is doing, for people and the bench.</summary>
public static class RoomStatsEndpoints
{
    public static void MapRoomStatsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/rooms/{room}/stats", (string room, RoomDirectory rooms) =>
        {
            if (!rooms.TryGet(room, out var r))
            {
                return Results.Problem($"No room '{room}'.", statusCode: StatusCodes.Status404NotFound);
            }
            return Results.Ok(new
            {
                room = r.Name,
                layout = r.CurrentTemplate?.Name,
                videoEncoders = r.VideoEncoderCount,
                audioEncodes = r.AudioEncodeCount,
                // Recordings and live streams on the room's mixer: each takes its tier's shared H.264 encode.
                sinks = r.Recorders.Select(x => new { kind = x is Mcu.Conference.Streaming.LiveStreamSink ? "stream" : "recording", tier = x.Tier.Name }),
                latencyMsP50 = r.Latency.Percentile(50),
                latencyMsP95 = r.Latency.Percentile(95),
                audioClock = new { ticks = r.AudioClock.Ticks, late = r.AudioClock.LateTicks, bytesPerTick = Math.Round(r.AudioClock.AverageAllocatedBytes) },
                videoClock = new { ticks = r.VideoClock.Ticks, late = r.VideoClock.LateTicks, bytesPerTick = Math.Round(r.VideoClock.AverageAllocatedBytes) },
                participants = r.Participants.Select(p => new
                {
                    id = p.Id,
                    name = p.DisplayName,
                    state = p.State.ToString(),
                    tier = p.Tier.Name,
                    stats = p.GetStats(),
                }),
            });
        }).WithTags("Rooms").RequireRoomReader();
    }
}
