using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Mcu.Conference.Layouts;
using Mcu.Server;
using Mcu.Server.Auth;
using Microsoft.Extensions.Options;

namespace Mcu.Fuzz.Targets;

/// <summary>Text that comes in over HTTP: layout templates (PUT /api/layouts) and bearer room tokens.</summary>
internal static class TextTargets
{
    private const string AdminKeyValue = "fuzz-admin-key";
    private static readonly RoomTokenIssuer Issuer = new(
        new AdminKey(Microsoft.Extensions.Options.Options.Create(new McuOptions { AdminKey = AdminKeyValue })),
        new FixedTime(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero)));

    // The issuer's signing key, derived the way RoomTokenIssuer does (HMAC of the purpose under
    // the admin key), so the fuzzer can sign claims of its own and reach the claims parser.
    private static readonly byte[] SigningKey =
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(AdminKeyValue), "mcu room tokens v1"u8);

    /// <summary>A template, and when it parses: its JSON round trip and arranging 0-40 members in it.</summary>
    public static void Layout(byte[] data)
    {
        LayoutTemplate template;
        try
        {
            template = LayoutTemplate.Parse(Encoding.UTF8.GetString(data));
        }
        catch (LayoutTemplateException)
        {
            return; // The documented refusal.
        }
        try
        {
            template = LayoutTemplate.Parse(template.ToJson());
        }
        catch (LayoutTemplateException e)
        {
            throw new FuzzInvariantException($"a valid template does not parse once written: {e.Message}");
        }
        var members = Enumerable.Range(0, 40).Select(i => new LayoutMember($"p{i}", $"P {i}")).ToList();
        foreach (int count in new[] { 0, 1, 2, 5, 40 })
        {
            LayoutArranger.Arrange(template, members[..count], count > 0 ? "p0" : null);
        }
    }

    /// <summary>
    /// First byte even: the rest is the bearer value as sent. Odd: the rest is a claims payload
    /// that we sign with the right key, which is what reaches the JSON claims and expiry checks.
    /// </summary>
    public static void RoomToken(byte[] data)
    {
        if (data.Length == 0)
        {
            return;
        }
        string value;
        if ((data[0] & 1) == 0)
        {
            value = Encoding.UTF8.GetString(data.AsSpan(1));
        }
        else
        {
            string payload = Base64Url.EncodeToString(data.AsSpan(1));
            value = payload + "." + Base64Url.EncodeToString(HMACSHA256.HashData(SigningKey, Encoding.ASCII.GetBytes(payload)));
        }
        if (Issuer.TryValidate(value, out var token) && (token is null || token.Room is null))
        {
            throw new FuzzInvariantException("a valid token without a room");
        }
    }

    /// <summary>A token as the server issues it, valid at the target's fixed time: a seed.</summary>
    internal static string IssueSample() =>
        Issuer.Issue(new Mcu.Server.Auth.RoomToken("room-1", Mcu.Conference.Rooms.ParticipantRole.Participant,
            new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero)));

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
