using Mcu.Conference.Rooms;
using Microsoft.Net.Http.Headers;

namespace Mcu.Server.Auth;

/// <summary>Who sent a request, from its <c>Authorization: Bearer</c> header.</summary>
public sealed record Caller(bool HasCredentials, bool IsAdmin, RoomToken? Token)
{
    public static readonly Caller Anonymous = new(false, false, null);
    public static readonly Caller Invalid = new(true, false, null);
    public static readonly Caller Admin = new(true, true, null);

    public bool IsAuthenticated => IsAdmin || Token is not null;

    /// <summary>May this caller join <paramref name="room"/> in <paramref name="role"/>? A participant token also allows viewing.</summary>
    public bool MayJoin(string room, ParticipantRole role) =>
        IsAdmin || (Token is { } t && t.Room == room && (t.Role == ParticipantRole.Participant || role == ParticipantRole.Viewer));

    public bool MayAct(string room) => IsAdmin || (Token is { } t && t.Room == room);

    public static Caller From(HttpContext context)
    {
        string? header = context.Request.Headers[HeaderNames.Authorization];
        if (string.IsNullOrEmpty(header))
        {
            return Anonymous;
        }
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return Invalid;
        }
        string value = header[Scheme.Length..].Trim();
        if (context.RequestServices.GetRequiredService<AdminKey>().Matches(value))
        {
            return Admin;
        }
        return context.RequestServices.GetRequiredService<RoomTokenIssuer>().TryValidate(value, out var token)
            ? new Caller(true, false, token)
            : Invalid;
    }
}
