using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace Mcu.Server.Auth;

/// <summary>
/// Which web pages may call us from another origin. WHIP and WHEP (their POST, their session
/// resources and the preflight for both) answer every origin: RFC 9725 clients call them
/// cross-origin, and they need a bearer token, never a cookie. Everything else answers only
/// the origins in <c>Mcu:Cors:Origins</c> (default none), so another site's page cannot read
/// rooms or names through a visitor's browser.
/// </summary>
public sealed partial class CorsPolicies : ICorsPolicyProvider
{
    private static readonly string[] Exposed = ["Location", "ETag", "Link", "Accept-Post", "Retry-After"];

    private readonly CorsPolicy _whip = new CorsPolicyBuilder()
        .AllowAnyOrigin()
        .WithMethods("POST", "DELETE", "PATCH", "GET")
        .WithHeaders("Authorization", "Content-Type", "If-Match")
        .WithExposedHeaders(Exposed)
        .Build();

    private readonly CorsPolicy? _configured;

    public CorsPolicies(IOptions<McuOptions> options)
    {
        var origins = options.Value.Cors.Origins.Where(o => !string.IsNullOrWhiteSpace(o)).Select(o => o.Trim().TrimEnd('/')).ToArray();
        _configured = origins.Length == 0 ? null : new CorsPolicyBuilder()
            .WithOrigins(origins)
            .AllowAnyHeader()
            .AllowAnyMethod()
            .WithExposedHeaders(Exposed)
            .Build();
    }

    public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName) =>
        Task.FromResult(IsWhipResource(context.Request.Path) ? _whip : _configured);

    /// <summary>WHIP/WHEP endpoints and the session resources their Location names (rooms and the echo test).</summary>
    public static bool IsWhipResource(PathString path) => path.HasValue && WhipPath().IsMatch(path.Value!);

    [GeneratedRegex(@"^/api/(rooms/[^/]+/(whip|whep|sessions/[^/]+)|echo/whip(/[^/]+)?)/?$", RegexOptions.CultureInvariant)]
    private static partial Regex WhipPath();
}
