using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Mcu.Conference.Rooms;
using Mcu.Server.Api;
using Mcu.Server.Auth;

namespace Mcu.Server.Events;

/// <summary>
/// <c>GET /api/rooms/{room}/events</c> (WebSocket): the room's events as small JSON
/// messages, in the order the room raised them. The first message, "subscribed", says the
/// subscription is in place; the socket closes after "roomClosed". A client too slow to
/// read loses the oldest events rather than slowing the room.
/// </summary>
public static class RoomEventsEndpoint
{
    private const int Backlog = 256;

    /// <summary>The subprotocol the events socket speaks; offer it beside <c>bearer.{token}</c>.</summary>
    public const string Subprotocol = "mcu-events";

    public sealed record EventMessage(string Type, DateTimeOffset Timestamp, string Room, string? ParticipantId = null, string? Detail = null);

    public static void MapRoomEventsEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/rooms/{room}/events", async (HttpContext context, string room, RoomDirectory directory, EventSockets sockets) =>
        {
            if (!directory.TryGet(room, out var r))
            {
                return RoomEndpoints.NoRoom(room);
            }
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return Results.Problem("This is a WebSocket: connect with Upgrade: websocket.", title: "Upgrade required",
                    statusCode: StatusCodes.Status426UpgradeRequired);
            }
            var caller = Caller.From(context);
            string? token = caller.Token?.Nonce;
            if (sockets.TryOpen(r, token) is { } refused)
            {
                return refused;
            }
            try
            {
                // A browser passes its token as a "bearer.…" subprotocol beside ours; we answer with ours only.
                string? protocol = context.WebSockets.WebSocketRequestedProtocols.Contains(Subprotocol) ? Subprotocol : null;
                using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol);
                await PumpAsync(socket, r, caller.Token?.ExpiresAt, context.RequestAborted);
            }
            finally
            {
                sockets.Close(r, token);
            }
            return Results.Empty;
        }).WithTags("Events").RequireRoomReader();
    }

    /// <param name="expires">When the token that opened the socket expires: the socket ends then (null: never).</param>
    private static async Task PumpAsync(WebSocket socket, Room room, DateTimeOffset? expires, CancellationToken ct)
    {
        var events = Channel.CreateBounded<RoomEvent>(new BoundedChannelOptions(Backlog)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        void OnChanged(RoomEvent e) => events.Writer.TryWrite(e);
        room.Changed += OnChanged;
        if (room.IsClosed)
        {
            // It closed between finding it and subscribing: its RoomClosed went before us.
            events.Writer.TryWrite(new RoomEvent(RoomEventType.RoomClosed, null, null));
        }
        try
        {
            await SendAsync(socket, new EventMessage("subscribed", DateTimeOffset.UtcNow, room.Name), ct);
            // Reading notices the client closing; its messages are ignored.
            var reading = DrainAsync(socket, ct);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _ = reading.ContinueWith(_ => stop.Cancel(), TaskScheduler.Default);
            var expired = false;
            if (expires is { } at)
            {
                // A socket lives no longer than the token that opened it.
                double left = Math.Clamp((at - DateTimeOffset.UtcNow).TotalMilliseconds, 0, int.MaxValue - 1);
                _ = Task.Delay(TimeSpan.FromMilliseconds(left), stop.Token)
                    .ContinueWith(t => { if (!t.IsCanceled) { expired = true; stop.Cancel(); } }, TaskScheduler.Default);
            }
            try
            {
                await foreach (var e in events.Reader.ReadAllAsync(stop.Token))
                {
                    await SendAsync(socket, Message(room.Name, e), stop.Token);
                    if (e.Type == RoomEventType.RoomClosed)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "room closed", ct);
                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(expired ? WebSocketCloseStatus.PolicyViolation : WebSocketCloseStatus.NormalClosure,
                    expired ? "token expired" : null, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
            // The client went away.
        }
        finally
        {
            room.Changed -= OnChanged;
        }
    }

    private static EventMessage Message(string room, RoomEvent e) =>
        new(JsonNamingPolicy.CamelCase.ConvertName(e.Type.ToString()), e.Timestamp, room, e.ParticipantId, e.Detail);

    private static Task SendAsync(WebSocket socket, EventMessage message, CancellationToken ct) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, JsonBody.Options), WebSocketMessageType.Text, true, ct);

    private static async Task DrainAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }
}
