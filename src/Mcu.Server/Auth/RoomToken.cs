using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mcu.Conference.Rooms;

namespace Mcu.Server.Auth;

/// <summary>
/// What a room token allows: joining one room in one role until it expires. <paramref name="Incarnation"/>
/// ties it to the room as it was when the token was issued (null: the room did not exist yet).
/// </summary>
public sealed record RoomToken(string Room, ParticipantRole Role, DateTimeOffset ExpiresAt, long? Incarnation = null)
{
    /// <summary>Random per token: names the token (session ownership, per-token limits) without being it.</summary>
    public string Nonce { get; init; } = "";

    public DateTimeOffset IssuedAt { get; init; }
}

/// <summary>
/// Issues and checks room tokens: <c>base64url(json claims) "." base64url(HMAC-SHA256)</c>.
/// The signing key is derived from the admin key, so tokens survive a restart with the
/// same key and die when the key changes. Nothing is stored per token.
/// </summary>
public sealed class RoomTokenIssuer
{
    private const string KeyPurpose = "mcu room tokens v1";
    private static readonly long MinUnixSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();
    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public RoomTokenIssuer(AdminKey adminKey, TimeProvider time)
    {
        _key = HMACSHA256.HashData(Encoding.UTF8.GetBytes(adminKey.Value), Encoding.UTF8.GetBytes(KeyPurpose));
        _time = time;
    }

    public string Issue(RoomToken token)
    {
        var claims = new Claims(token.Room, token.Role == ParticipantRole.Viewer ? "viewer" : "participant",
            token.ExpiresAt.ToUnixTimeSeconds(), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            _time.GetUtcNow().ToUnixTimeMilliseconds(), token.Incarnation);
        string payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        return payload + "." + Base64Url.EncodeToString(Sign(payload));
    }

    /// <summary>The token's claims when its signature holds and it has not expired.</summary>
    public bool TryValidate(string value, out RoomToken token)
    {
        token = null!;
        int dot = value.IndexOf('.');
        if (dot <= 0 || dot == value.Length - 1 || value.Length > 1024)
        {
            return false;
        }
        string payload = value[..dot];
        Span<byte> signature = stackalloc byte[64];
        if (Base64Url.DecodeFromChars(value.AsSpan(dot + 1), signature, out _, out int length) != System.Buffers.OperationStatus.Done
            || !CryptographicOperations.FixedTimeEquals(signature[..length], Sign(payload)))
        {
            return false;
        }
        Claims? claims;
        try
        {
            claims = JsonSerializer.Deserialize<Claims>(Base64Url.DecodeFromChars(payload));
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return false;
        }
        if (claims is null || claims.Room is null || claims.Role is not ("participant" or "viewer") || string.IsNullOrEmpty(claims.Nonce))
        {
            return false;
        }
        // An exp outside DateTimeOffset's years 1-9999 is refused, not thrown on (found by fuzzing).
        if (claims.Expires < MinUnixSeconds || claims.Expires > MaxUnixSeconds
            || claims.IssuedAt < MinUnixSeconds * 1000 || claims.IssuedAt > MaxUnixSeconds * 1000)
        {
            return false;
        }
        var expires = DateTimeOffset.FromUnixTimeSeconds(claims.Expires);
        if (expires <= _time.GetUtcNow())
        {
            return false;
        }
        token = new RoomToken(claims.Room, claims.Role == "viewer" ? ParticipantRole.Viewer : ParticipantRole.Participant, expires, claims.Incarnation)
        {
            Nonce = claims.Nonce,
            IssuedAt = DateTimeOffset.FromUnixTimeMilliseconds(claims.IssuedAt),
        };
        return true;
    }

    private byte[] Sign(string payload) => HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(payload));

    private sealed record Claims(
        [property: JsonPropertyName("room")] string Room,
        [property: JsonPropertyName("role")] string Role,
        [property: JsonPropertyName("exp")] long Expires,
        [property: JsonPropertyName("nonce")] string Nonce,
        [property: JsonPropertyName("iat")] long IssuedAt,
        [property: JsonPropertyName("inc")] long? Incarnation);
}
