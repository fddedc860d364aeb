using System.Security.Cryptography;
using System.Text;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;

namespace Mcu.Server.Recording;

/// <summary>
/// Lets into the Hangfire dashboard only requests carrying <c>Authorization: Bearer {Mcu:AdminKey}</c>.
/// With no admin key configured, nobody gets in.
/// </summary>
public sealed class AdminKeyDashboardFilter(IOptionsMonitor<McuOptions> options) : IDashboardAuthorizationFilter
{
    private const string Scheme = "Bearer ";

    public bool Authorize(DashboardContext context)
    {
        string? key = options.CurrentValue.AdminKey;
        string header = context.GetHttpContext().Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(key) || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        // Constant time, so the key cannot be guessed a character at a time.
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()), Encoding.UTF8.GetBytes(key));
    }
}
