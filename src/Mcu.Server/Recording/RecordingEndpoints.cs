using Hangfire;
using Mcu.Conference.Layouts;
using Mcu.Conference.Mixing;
using Mcu.Conference.Rooms;
using Mcu.Server.Auth;

namespace Mcu.Server.Recording;

/// <summary>Body of POST /api/rooms/{room}/recordings; both optional.</summary>
public sealed record StartRecordingRequest(string? Layout, string? Resolution);

/// <summary>Start, stop, list and download recordings.</summary>
public static class RecordingEndpoints
{
    public static IEndpointRouteBuilder MapRecordingEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/rooms/{room}/recordings").WithTags("recordings");
        group.MapPost("", Start).RequireAdmin();
        group.MapGet("", (string room, RecordingStore store) => Results.Ok(store.List(room).Select(RecordingView.From)))
            .Produces<RecordingView[]>().RequireRoomReader();
        group.MapGet("/{id}", (string room, string id, RecordingStore store) =>
            store.Get(id) is { } info && info.Room == room ? Results.Ok(RecordingView.From(info)) : NoRecording(room, id))
            .Produces<RecordingView>().RequireRoomReader();
        group.MapPost("/{id}/stop", Stop).RequireAdmin();
        group.MapDelete("/{id}", Stop).RequireAdmin();
        group.MapGet("/{id}/file", (string room, string id, RecordingStore store) => Download(room, id, store, thumbnail: false)).RequireAdmin();
        group.MapGet("/{id}/thumbnail", (string room, string id, RecordingStore store) => Download(room, id, store, thumbnail: true)).RequireAdmin();
        return app;
    }

    private static IResult Start(string room, StartRecordingRequest? request, RoomDirectory rooms, RecordingStore store,
        RecordingSettings settings, RecordingSessions sessions, IBackgroundJobClient jobs)
    {
        if (sessions.ShuttingDown)
        {
            return Results.Problem("the server is shutting down", title: "Shutting down", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        if (!rooms.TryGet(room, out var live) || live.IsClosed)
        {
            return Results.Problem($"no room '{room}' on this node", statusCode: StatusCodes.Status404NotFound);
        }
        var tier = ParseResolution(request?.Resolution);
        if (tier is null)
        {
            return Results.Problem($"resolution '{request?.Resolution}' is not one of 1280x720, 640x360", statusCode: StatusCodes.Status400BadRequest);
        }
        // The recording shares the room's canvas (and its encoder); another layout would need a canvas of its own.
        string layout = request?.Layout ?? live.Layout;
        if (layout != live.Layout && layout != live.CurrentTemplate?.Name)
        {
            return Results.Problem($"recording layout '{layout}' differs from the room's '{live.Layout}'; change the room's layout instead",
                statusCode: StatusCodes.Status400BadRequest);
        }
        if (layout != LayoutTemplate.Auto && !rooms.Layouts.TryGet(layout, out _))
        {
            return Results.Problem($"no layout template '{layout}'", statusCode: StatusCodes.Status400BadRequest);
        }
        lock (StartGate)
        {
            // Count and claim under one lock, so two requests at once cannot both take the last place
            // (the control path only: no room or media thread ever waits on it).
            int running = store.List().Count(r => r.Node == settings.Node && r.State is RecordingState.Queued or RecordingState.Recording);
            if (running >= settings.MaxRecordings)
            {
                return Results.Problem(
                    $"this node is already making {running} recordings, its limit (Mcu:Limits:MaxRecordings); stop one or try again later",
                    title: "Too many recordings", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            return Enqueue(room, layout, tier, store, settings, jobs);
        }
    }

    private static readonly Lock StartGate = new();

    private static IResult Enqueue(string room, string layout, OutputTier tier, RecordingStore store, RecordingSettings settings, IBackgroundJobClient jobs)
    {
        var info = new RecordingInfo
        {
            Id = RecordingStore.NewId(),
            Room = room,
            Layout = layout,
            Width = tier.Width,
            Height = tier.Height,
            State = RecordingState.Queued,
            CreatedAt = DateTimeOffset.UtcNow,
            Node = settings.Node,
            Queue = settings.NodeQueue,
        };
        // An unwritable folder fails the recording (with the reason) when the job starts, not here.
        store.TrySave(info, out _);
        string jobId = jobs.Enqueue<RecordingJob>(settings.NodeQueue, job => job.RecordAsync(info.Id, CancellationToken.None));
        info = store.Update(info.Id, current => current with { JobId = jobId }) ?? info;
        return Results.Accepted($"/api/rooms/{room}/recordings/{info.Id}", RecordingView.From(info));
    }

    private static IResult Stop(string room, string id, RecordingStore store, RecordingSessions sessions)
    {
        if (store.Get(id) is not { } info || info.Room != room)
        {
            return NoRecording(room, id);
        }
        if (sessions.Stop(id))
        {
            return Results.Accepted($"/api/rooms/{room}/recordings/{id}", RecordingView.From(info));
        }
        // Not running here: still queued (it will find this and not start), or already over.
        var updated = store.Update(id, current => current.State == RecordingState.Queued
            ? current with { StopRequested = true, State = RecordingState.Failed, Reason = "stopped before it started", EndedAt = DateTimeOffset.UtcNow }
            : current);
        return updated is null ? NoRecording(room, id) : Results.Ok(RecordingView.From(updated));
    }

    private static IResult Download(string room, string id, RecordingStore store, bool thumbnail)
    {
        if (store.Get(id) is not { } info || info.Room != room)
        {
            return NoRecording(room, id);
        }
        if (info.State is RecordingState.Queued or RecordingState.Recording or RecordingState.Finalizing)
        {
            return Results.Problem($"recording {id} is {info.State.ToString().ToLowerInvariant()}", statusCode: StatusCodes.Status409Conflict);
        }
        string what = thumbnail ? "thumbnail" : "file";
        string? name = thumbnail ? info.Thumbnail : info.File;
        if (name is null)
        {
            return Results.Problem($"recording {id} has no {what}", statusCode: StatusCodes.Status404NotFound);
        }
        // Only ever a file of the recordings folder, whatever the sidecar says.
        if (!store.TryPathOf(name, out string path) || !File.Exists(path))
        {
            return Results.Problem($"the {what} of recording {id} is not in the recordings folder", statusCode: StatusCodes.Status404NotFound);
        }
        return Results.File(path, thumbnail ? "image/jpeg" : "video/mp4", name, enableRangeProcessing: true);
    }

    private static IResult NoRecording(string room, string id) =>
        Results.Problem($"no recording '{id}' in room '{room}'", statusCode: StatusCodes.Status404NotFound);

    private static OutputTier? ParseResolution(string? resolution) => resolution switch
    {
        null or "" or "1280x720" or "high" => OutputTier.High,
        "640x360" or "medium" => OutputTier.Medium,
        _ => null,
    };
}
