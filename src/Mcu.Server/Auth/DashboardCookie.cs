using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mcu.Server.Auth;

/// <summary>
/// Lets a person open the Hangfire dashboard in a browser, which cannot send an
/// <c>Authorization</c> header on a link: the page, holding the admin key, asks for this
/// short-lived cookie (<c>POST /api/dashboard/session</c>), HttpOnly, SameSite=Strict, for the
/// dashboard's path only, signed with a key derived from the admin key, nothing stored.
/// </summary>
public sealed class DashboardCookie
{
    public const string Name = "mcu-dashboard";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
    private const string KeyPurpose = "mcu dashboard cookie v1";

    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public DashboardCookie(AdminKey adminKey, TimeProvider time)
    {
        _key = HMACSHA256.HashData(Encoding.UTF8.GetBytes(adminKey.Value), Encoding.UTF8.GetBytes(KeyPurpose));
        _time = time;
    }

    public void Issue(HttpContext context, string path)
    {
        string expires = (_time.GetUtcNow() + Lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        context.Response.Cookies.Append(Name, expires + "." + Base64Url.EncodeToString(Sign(expires)), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = path,
            MaxAge = Lifetime,
        });
    }

    /// <summary>Does the request carry a cookie we signed that has not expired?</summary>
    public bool IsValid(HttpContext context)
    {
        string? value = context.Request.Cookies[Name];
        int dot = value?.IndexOf('.') ?? -1;
        if (value is null || dot <= 0 || value.Length > 128
            || !long.TryParse(value.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out long expires))
        {
            return false;
        }
        Span<byte> signature = stackalloc byte[64];
        return Base64Url.DecodeFromChars(value.AsSpan(dot + 1), signature, out _, out int length) == System.Buffers.OperationStatus.Done
               && CryptographicOperations.FixedTimeEquals(signature[..length], Sign(value[..dot]))
               && expires > _time.GetUtcNow().ToUnixTimeSeconds();
    }

    private byte[] Sign(string expires) => HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(expires));
}
