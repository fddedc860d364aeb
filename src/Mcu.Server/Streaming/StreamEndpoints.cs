using Hangfire;
using Mcu.Conference.Layouts;
using Mcu.Conference.Mixing;
using Mcu.Conference.Rooms;
using Mcu.Server.Auth;
using Microsoft.Net.Http.Headers;

namespace Mcu.Server.Streaming;

/// <summary>Body of POST /api/rooms/{room}/streams.</summary>
public sealed record StartStreamRequest(string? Url, string? Layout, string? Resolution, int? VideoBitrateKbps);

/// <summary>Body of POST /api/rooms/{room}/hls; both optional.</summary>
public sealed record StartHlsRequest(string? Layout, string? Resolution);

/// <summary>Start, stop and list a room's live streams; serve its HLS.</summary>
public static class StreamEndpoints
{
    /// <summary>The cookie a browser's player sends for the HLS files (an element cannot send a header).</summary>
    public const string HlsCookie = "mcu-hls";

    public static IEndpointRouteBuilder MapStreamEndpoints(this IEndpointRouteBuilder app)
    {
        var streams = app.MapGroup("/api/rooms/{room}/streams").WithTags("streams");
        streams.MapPost("", StartPush).RequireAdmin();
        streams.MapGet("", (string room, StreamRegistry registry) => Results.Ok(registry.List(room)))
            .Produces<StreamInfo[]>().RequireRoomReader();
        streams.MapGet("/{id}", (string room, string id, StreamRegistry registry) =>
            registry.Get(id) is { } info && info.Room == room ? Results.Ok(info) : NoStream(room, id))
            .Produces<StreamInfo>().RequireRoomReader();
        streams.MapPost("/{id}/stop", Stop).RequireAdmin();
        streams.MapDelete("/{id}", Stop).RequireAdmin();

        var hls = app.MapGroup("/api/rooms/{room}/hls").WithTags("streams");
        hls.MapPost("", StartHls).RequireAdmin();
        hls.MapDelete("", (string room, StreamRegistry registry) =>
            registry.HlsOf(room) is { } info ? Stop(room, info.Id, registry) : Results.Problem($"room '{room}' has no HLS running", statusCode: StatusCodes.Status404NotFound))
            .RequireAdmin();
        hls.MapPost("/session", IssueCookie).RequireRoomReader();
        hls.MapGet("/{file}", ServeFile).RequireRoomReader();
        return app;
    }

    private static IResult StartPush(string room, StartStreamRequest? request, RoomDirectory rooms, StreamRegistry registry,
        StreamSettings settings, IBackgroundJobClient jobs)
    {
        if (request?.Url is not { Length: > 0 } url || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("rtmp" or "rtmps" or "srt") || uri.Host.Length == 0)
        {
            return Results.Problem("url must be an rtmp://, rtmps:// or srt:// URL with a host", statusCode: StatusCodes.Status400BadRequest);
        }
        var kind = uri.Scheme == "srt" ? StreamKind.Srt : StreamKind.Rtmp;
        // The path and query carry the stream key (rtmp://host/app/KEY, srt://host?streamid=KEY): never shown or logged.
        string target = $"{uri.Scheme}://{uri.Authority}";
        return Start(room, kind, url, target, request.Layout, request.Resolution, request.VideoBitrateKbps, rooms, registry, settings, jobs);
    }

    private static IResult StartHls(string room, StartHlsRequest? request, RoomDirectory rooms, StreamRegistry registry,
        StreamSettings settings, IBackgroundJobClient jobs) =>
        Start(room, StreamKind.Hls, "", $"/api/rooms/{Uri.EscapeDataString(room)}/hls/{HlsFiles.Playlist}",
            request?.Layout, request?.Resolution, null, rooms, registry, settings, jobs);

    private static IResult Start(string room, StreamKind kind, string url, string target, string? layout, string? resolution, int? bitrate,
        RoomDirectory rooms, StreamRegistry registry, StreamSettings settings, IBackgroundJobClient jobs)
    {
        if (!rooms.TryGet(room, out var live) || live.IsClosed)
        {
            return Results.Problem($"no room '{room}' on this node", statusCode: StatusCodes.Status404NotFound);
        }
        var tier = resolution switch
        {
            null or "" or "1280x720" => OutputTier.High,
            "640x360" => OutputTier.Medium,
            _ => null,
        };
        if (tier is null)
        {
            return Results.Problem($"resolution '{resolution}' is not one of 1280x720, 640x360", statusCode: StatusCodes.Status400BadRequest);
        }
        // The stream takes the encode its tier already makes for participants and recordings: one encoder, one bitrate.
        if (bitrate is { } kbps && kbps != tier.BitrateKbps)
        {
            return Results.Problem($"videoBitrateKbps: a {tier.Width}x{tier.Height} stream shares that tier's encoder, at {tier.BitrateKbps} kbps",
                statusCode: StatusCodes.Status400BadRequest);
        }
        // Like a recording, a stream shows the room's canvas; another layout would need a canvas of its own.
        layout ??= live.Layout;
        if (layout != live.Layout && layout != live.CurrentTemplate?.Name)
        {
            return Results.Problem($"stream layout '{layout}' differs from the room's '{live.Layout}'; change the room's layout instead",
                statusCode: StatusCodes.Status400BadRequest);
        }
        if (layout != LayoutTemplate.Auto && !rooms.Layouts.TryGet(layout, out _))
        {
            return Results.Problem($"no layout template '{layout}'", statusCode: StatusCodes.Status400BadRequest);
        }
        var info = new StreamInfo
        {
            Id = Guid.NewGuid().ToString("n")[..12],
            Room = room,
            Kind = kind,
            Target = target,
            Layout = layout,
            Width = tier.Width,
            Height = tier.Height,
            State = StreamState.Starting,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        registry.Prune(TimeSpan.FromHours(1));
        if (registry.TryAdd(info, url, settings.MaxStreams) is { } refusal)
        {
            int status = kind == StreamKind.Hls && refusal.Contains("already has HLS", StringComparison.Ordinal)
                ? StatusCodes.Status409Conflict : StatusCodes.Status503ServiceUnavailable;
            return Results.Problem(refusal, statusCode: status);
        }
        jobs.Enqueue<StreamJob>(settings.Queue, job => job.RunAsync(info.Id, CancellationToken.None));
        string location = kind == StreamKind.Hls ? target : $"/api/rooms/{Uri.EscapeDataString(room)}/streams/{info.Id}";
        return Results.Accepted(location, info);
    }

    private static IResult Stop(string room, string id, StreamRegistry registry)
    {
        if (registry.Get(id) is not { } info || info.Room != room)
        {
            return NoStream(room, id);
        }
        var updated = registry.Stop(id) ?? info;
        return updated.IsOver ? Results.Ok(updated) : Results.Accepted($"/api/rooms/{Uri.EscapeDataString(room)}/streams/{id}", updated);
    }

    /// <summary>Hands the caller's bearer token back as an HttpOnly cookie for this room's HLS path, so a video element (or hls.js) can fetch it.</summary>
    private static IResult IssueCookie(string room, HttpContext context)
    {
        string? token = Caller.Bearer(context);
        if (string.IsNullOrEmpty(token))
        {
            return Results.Problem("the HLS cookie carries a bearer token: send one", statusCode: StatusCodes.Status400BadRequest);
        }
        context.Response.Cookies.Append(HlsCookie, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = $"/api/rooms/{Uri.EscapeDataString(room)}/hls",
            MaxAge = TimeSpan.FromHours(12), // the token's own expiry is checked on every request
        });
        return Results.NoContent();
    }

    /// <summary>
    /// Middleware: a GET of a room's HLS files without an Authorization header but with our cookie
    /// is read as that bearer token. Before anything reads the caller (cluster routing does).
    /// </summary>
    public static IApplicationBuilder UseHlsCookie(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) && string.IsNullOrEmpty(request.Headers.Authorization)
            && request.Path.StartsWithSegments("/api/rooms") && request.Path.Value!.Contains("/hls/", StringComparison.Ordinal)
            && request.Cookies[HlsCookie] is { Length: > 0 } token)
        {
            request.Headers.Authorization = "Bearer " + token;
        }
        await next(context);
    });

    private static IResult ServeFile(string room, string file, HttpContext context, StreamRegistry registry, StreamSettings settings)
    {
        if (!HlsFiles.IsServed(file))
        {
            return Results.Problem($"no HLS file '{file}'", statusCode: StatusCodes.Status404NotFound);
        }
        string path = Path.Combine(settings.HlsFolderOf(room), file);
        if (registry.HlsOf(room) is null || !File.Exists(path))
        {
            return Results.Problem(file == HlsFiles.Playlist ? $"room '{room}' has no HLS running (or its first segment is not ready)" : $"no HLS file '{file}'",
                statusCode: StatusCodes.Status404NotFound);
        }
        // The playlist changes every segment; a segment never changes once listed.
        context.Response.Headers[HeaderNames.CacheControl] = file == HlsFiles.Playlist ? "no-cache, no-store" : "private, max-age=60";
        try
        {
            return Results.File(File.OpenRead(path), HlsFiles.ContentType(file));
        }
        catch (FileNotFoundException)
        {
            return Results.Problem($"no HLS file '{file}'", statusCode: StatusCodes.Status404NotFound); // deleted from the window just now
        }
    }

    private static IResult NoStream(string room, string id) =>
        Results.Problem($"no stream '{id}' in room '{room}'", statusCode: StatusCodes.Status404NotFound);
}
