using Mcu.Conference.Layouts;
using Mcu.Conference.Mixing;
using Mcu.Conference.Rooms;
using Mcu.Server.Auth;
using Mcu.Server.Cluster;

namespace Mcu.Server.Api;

/// <summary>/api/rooms: create, list, look at, close rooms; switch their layout and speaker.</summary>
public static class RoomEndpoints
{
    public static void MapRoomEndpoints(this IEndpointRouteBuilder app)
    {
        var rooms = app.MapGroup("/api/rooms").WithTags("Rooms");

        rooms.MapGet("/", async (RoomDirectory directory, IClusterDirectory cluster, CancellationToken ct) =>
        {
            var here = directory.Rooms.Select(r => new RoomSummary(r.Name, r.Participants.Count, r.Layout, r.Recorders.Count > 0, r.CreatedAt)).ToList();
            if (!cluster.IsShared)
            {
                return here;
            }
            // The whole cluster: this node's rooms as they are now, the others' as of their node's last heartbeat.
            var names = here.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
            return here.Select(r => r with { Node = cluster.Node, State = "live" })
                .Concat((await cluster.OtherRoomsAsync(ct)).Where(r => !names.Contains(r.Name)).Select(r =>
                    new RoomSummary(r.Name, r.Participants, r.Layout, r.Recording, r.CreatedAt, r.Node, r.State, r.EndedAt, r.Reason)))
                .OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        }).Produces<List<RoomSummary>>().RequireAdminReader();

        rooms.MapGet("/{room}", (string room, RoomDirectory directory, RoomCodecs codecs, IClusterDirectory cluster) =>
            directory.TryGet(room, out var r) ? Results.Ok(View(r, codecs, cluster)) : NoRoom(room))
            .Produces<RoomView>().RequireRoomReader();

        rooms.MapPost("/", async (HttpContext context, HttpRequest request, RoomDirectory directory, RoomCodecs codecs, IClusterDirectory cluster,
            ILogger<Room> logger, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<CreateRoomRequest>(request, ct);
            if (problem is not null)
            {
                return problem;
            }
            if (Check(body!, directory.DefaultOptions.MaxViewers) is { } invalid)
            {
                return Invalid(invalid);
            }
            var defaults = directory.DefaultOptions;
            var options = defaults with
            {
                Layout = body!.Layout ?? defaults.Layout,
                // With only a lower maxTier given, people start at that ceiling rather than above it.
                DefaultTier = body.DefaultTier ?? (body.MaxTier is { } ceiling && Room.IsAbove(OutputTier.Find(defaults.DefaultTier)!, OutputTier.Find(ceiling)!)
                    ? ceiling : defaults.DefaultTier),
                MaxTier = body.MaxTier ?? defaults.MaxTier,
                MaxParticipants = body.MaxParticipants ?? defaults.MaxParticipants,
                MaxViewers = body.MaxViewers ?? defaults.MaxViewers,
                FramesPerSecond = body.FramesPerSecond ?? defaults.FramesPerSecond,
                HideSelf = body.HideSelf ?? defaults.HideSelf,
                LossRecovery = body.LossRecovery ?? defaults.LossRecovery,
                NoiseSuppression = body.NoiseSuppression ?? defaults.NoiseSuppression,
                AutoGain = body.AutoGain ?? defaults.AutoGain,
            };
            // Where it goes: the node asked for, else the least-loaded live one; another node makes it itself.
            var placement = await cluster.ChooseNodeAsync(body.Node, ct);
            if (placement.Problem is { } unplaced)
            {
                return Results.Problem(unplaced, title: "No such node", statusCode: placement.Status);
            }
            if (!placement.IsHere)
            {
                await context.RequestServices.GetRequiredService<RoomForwarder>().ForwardAsync(context, placement.Node!, placement.Url!,
                    JsonContent.Create(body with { Node = placement.Node }, options: JsonBody.Options));
                return Results.Empty;
            }
            try
            {
                RoomDirectory.ValidateName(body.Name);
            }
            catch (ArgumentException e)
            {
                return Invalid(e.Message);
            }
            // The name, for this node, atomically across the cluster: of two nodes creating it at once, one gets it.
            var holder = await cluster.ClaimAsync(body.Name, ct);
            if (holder.Kind != RoomHostKind.Here)
            {
                return Exists(body.Name, holder.Node);
            }
            Room room;
            try
            {
                if (!directory.TryCreate(body.Name, options, out room))
                {
                    return Exists(body.Name, null);
                }
            }
            catch (Exception e) when (e is ArgumentException or LayoutTemplateException or RoomLimitException)
            {
                await cluster.ReleaseAsync(body.Name, ct);
                return e is RoomLimitException
                    ? Results.Problem(e.Message + " (Mcu:Limits:MaxRooms)", title: "No room for more rooms", statusCode: StatusCodes.Status503ServiceUnavailable)
                    : Invalid(e.Message);
            }
            codecs.Set(room.Name, body.Codecs?.Select(c => c.ToLowerInvariant()).Distinct().ToList() ?? RoomCodecs.All);
            Log.RoomCreated(logger, room.Name, room.Layout);
            return Results.Created($"/api/rooms/{room.Name}", View(room, codecs, cluster));
        }).Accepts<CreateRoomRequest>("application/json").Produces<RoomView>(StatusCodes.Status201Created).RequireAdmin();

        rooms.MapDelete("/{room}", async (string room, RoomDirectory directory, RoomCodecs codecs, RoomIncarnations incarnations, IClusterDirectory cluster,
            TimeProvider time, ILogger<Room> logger, CancellationToken ct) =>
        {
            if (!directory.Close(room))
            {
                return NoRoom(room);
            }
            // Its tokens die with it: a later room of the same name is another room.
            incarnations.Deleted(room);
            await cluster.RecordDeletionAsync(room, time.GetUtcNow(), ct);
            codecs.Forget(room);
            // Free the name before answering, so a create that follows the 204 finds it free on any node.
            await cluster.ReleaseAsync(room, ct);
            Log.RoomClosed(logger, room);
            return Results.NoContent();
        }).RequireAdmin();

        rooms.MapPut("/{room}/layout", async (string room, HttpRequest request, RoomDirectory directory, ILogger<Room> logger, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<LayoutRequest>(request, ct);
            if (problem is not null)
            {
                return problem;
            }
            if (!directory.TryGet(room, out var r))
            {
                return NoRoom(room);
            }
            try
            {
                r.SetLayout(body!.Layout ?? "");
            }
            catch (LayoutTemplateException e)
            {
                return Invalid(e.Message);
            }
            Log.LayoutApplied(logger, room, r.Layout);
            return Results.Ok(new { layout = r.Layout, template = r.CurrentTemplate?.Name });
        }).Accepts<LayoutRequest>("application/json").RequireAdmin();

        rooms.MapPut("/{room}/speaker", async (string room, HttpRequest request, RoomDirectory directory, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<SpeakerRequest>(request, ct);
            if (problem is not null)
            {
                return problem;
            }
            if (!directory.TryGet(room, out var r))
            {
                return NoRoom(room);
            }
            if (body!.ParticipantId is { } id && r.Find(id) is null)
            {
                return ParticipantEndpoints.NoParticipant(room, id);
            }
            r.PinSpeaker(body.ParticipantId);
            return Results.Ok(new { pinnedSpeakerId = r.PinnedSpeakerId, speakerId = r.SpeakerId });
        }).Accepts<SpeakerRequest>("application/json").RequireAdmin();
    }

    public static RoomView View(Room r, RoomCodecs codecs, IClusterDirectory cluster) => new(
        r.Name, r.CreatedAt, r.Layout, r.CurrentTemplate?.Name, r.ActiveSpeakerId, r.PinnedSpeakerId, r.SpeakerId,
        r.Recorders.Count > 0, r.Recorders.Count, r.VideoEncoderCount,
        new RoomSettings(r.Options.DefaultTier, r.Options.MaxTier, codecs.For(r.Name), r.Options.MaxParticipants, r.Options.FramesPerSecond, r.Options.HideSelf, r.Options.MaxViewers, r.Options.LossRecovery, r.Options.NoiseSuppression, r.Options.AutoGain),
        r.Participants.Select(ParticipantView.Of).ToList(),
        cluster.IsShared ? cluster.Node : null, cluster.IsShared ? cluster.NodeUrl?.ToString().TrimEnd('/') : null);

    private static IResult Exists(string room, string? node) =>
        Results.Problem(node is null ? $"room '{room}' exists" : $"room '{room}' exists (on node {node})", title: "Conflict", statusCode: StatusCodes.Status409Conflict);

    public static IResult NoRoom(string room) =>
        Results.Problem($"no room '{room}'", title: "Not found", statusCode: StatusCodes.Status404NotFound);

    public static IResult Invalid(string detail) =>
        Results.Problem(detail, title: "Invalid request", statusCode: StatusCodes.Status400BadRequest);

    private static string? Check(CreateRoomRequest body, int maxViewers)
    {
        if (string.IsNullOrEmpty(body.Name))
        {
            return "name is required";
        }
        foreach (var tier in new[] { body.DefaultTier, body.MaxTier })
        {
            if (tier is not null && OutputTier.Find(tier) is null)
            {
                return $"tier '{tier}' is not one of {string.Join(", ", OutputTier.All.Select(t => t.Name))}";
            }
        }
        if (body.Codecs is { } codecs && (codecs.Count == 0 || codecs.Any(c => !RoomCodecs.All.Contains(c?.ToLowerInvariant() ?? ""))))
        {
            return $"codecs: one or more of {string.Join(", ", RoomCodecs.All)}";
        }
        if (body.MaxParticipants is < 1 or > 100)
        {
            return "maxParticipants: 1 to 100";
        }
        if (body.MaxViewers is < 0 || body.MaxViewers > maxViewers)
        {
            return $"maxViewers: 0 to {maxViewers} (Mcu:Limits:MaxViewersPerRoom)";
        }
        if (body.DefaultTier is { } start && body.MaxTier is { } max && Room.IsAbove(OutputTier.Find(start)!, OutputTier.Find(max)!))
        {
            return $"defaultTier '{start}' is above maxTier '{max}'";
        }
        if (body.FramesPerSecond is < 1 or > 60)
        {
            return "framesPerSecond: 1 to 60";
        }
        return null;
    }
}
