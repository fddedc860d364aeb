using Hangfire.Dashboard;
using Mcu.Server.Auth;

namespace Mcu.Server.Recording;

/// <summary>Lets into the Hangfire dashboard only requests carrying <c>Authorization: Bearer {admin key}</c>.</summary>
public sealed class AdminKeyDashboardFilter(AdminKey adminKey) : IDashboardAuthorizationFilter
{
    private const string Scheme = "Bearer ";

    public bool Authorize(DashboardContext context)
    {
        string header = context.GetHttpContext().Request.Headers.Authorization.ToString();
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && adminKey.Matches(header[Scheme.Length..].Trim());
    }
}
