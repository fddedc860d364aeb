using Mcu.Conference.Rooms;
using Microsoft.Net.Http.Headers;

namespace Mcu.Server.Auth;

/// <summary>
/// Who sent a request: from its <c>Authorization: Bearer</c> header, or, on a WebSocket
/// upgrade (browsers cannot set headers there), from a <c>bearer.{token}</c> subprotocol.
/// Never from the query string: request lines are logged.
/// </summary>
public sealed record Caller(bool HasCredentials, bool IsAdmin, RoomToken? Token, string? Problem = null)
{
    /// <summary>The subprotocol prefix that carries a token on a WebSocket upgrade.</summary>
    public const string SubprotocolPrefix = "bearer.";

    public static readonly Caller Anonymous = new(false, false, null);
    public static readonly Caller Invalid = new(true, false, null);
    public static readonly Caller Admin = new(true, true, null);

    public bool IsAuthenticated => IsAdmin || Token is not null;

    /// <summary>Names the credential (for session ownership and per-token limits) without holding it.</summary>
    public string Id => IsAdmin ? "admin" : Token?.Nonce ?? "";

    /// <summary>May this caller join <paramref name="room"/> in <paramref name="role"/>? A participant token also allows viewing.</summary>
    public bool MayJoin(string room, ParticipantRole role) =>
        IsAdmin || (Token is { } t && t.Room == room && (t.Role == ParticipantRole.Participant || role == ParticipantRole.Viewer));

    public bool MayAct(string room) => IsAdmin || (Token is { } t && t.Room == room);

    public static Caller From(HttpContext context)
    {
        if (context.Items.TryGetValue(typeof(Caller), out var known) && known is Caller caller)
        {
            return caller;
        }
        caller = Read(context);
        context.Items[typeof(Caller)] = caller;
        return caller;
    }

    private static Caller Read(HttpContext context)
    {
        string? value = Bearer(context);
        if (value is null)
        {
            return Anonymous;
        }
        if (value.Length == 0)
        {
            return Invalid;
        }
        if (context.RequestServices.GetRequiredService<AdminKey>().Matches(value))
        {
            return Admin;
        }
        if (!context.RequestServices.GetRequiredService<RoomTokenIssuer>().TryValidate(value, out var token))
        {
            return Invalid;
        }
        // A signed token can still be void: its room was deleted, or it belongs to an ended incarnation.
        return context.RequestServices.GetRequiredService<RoomIncarnations>().VoidReason(token) is { } reason
            ? Invalid with { Problem = reason }
            : new Caller(true, false, token);
    }

    /// <summary>The bearer credential; null when none was sent, empty when one was sent in a form we do not take.</summary>
    internal static string? Bearer(HttpContext context)
    {
        string? header = context.Request.Headers[HeaderNames.Authorization];
        if (!string.IsNullOrEmpty(header))
        {
            const string Scheme = "Bearer ";
            return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : "";
        }
        if (context.WebSockets.IsWebSocketRequest)
        {
            foreach (string protocol in context.WebSockets.WebSocketRequestedProtocols)
            {
                if (protocol.StartsWith(SubprotocolPrefix, StringComparison.Ordinal))
                {
                    return protocol[SubprotocolPrefix.Length..];
                }
            }
        }
        return null;
    }
}
