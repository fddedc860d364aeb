using Hangfire.Dashboard;
using Mcu.Server.Auth;

namespace Mcu.Server.Recording;

/// <summary>
/// Lets into the Hangfire dashboard only requests carrying <c>Authorization: Bearer {admin key}</c>,
/// or the dashboard cookie the page gets with the admin key (a browser cannot send the header).
/// </summary>
public sealed class AdminKeyDashboardFilter(AdminKey adminKey, DashboardCookie cookie) : IDashboardAuthorizationFilter
{
    private const string Scheme = "Bearer ";

    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        string header = http.Request.Headers.Authorization.ToString();
        return (header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && adminKey.Matches(header[Scheme.Length..].Trim()))
               || cookie.IsValid(http);
    }
}
