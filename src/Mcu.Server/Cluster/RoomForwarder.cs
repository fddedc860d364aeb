using System.Net;

namespace Mcu.Server.Cluster;

/// <summary>
/// Passes a REST call on a room to the node that hosts it and its answer back, with the
/// caller's own credentials: a client of any node works unchanged, and no client has to carry
/// its token across a redirect (browsers and .NET's HttpClient drop it on one).
/// The forwarded request is marked (<see cref="ForwardedBy"/>), so it is never forwarded twice.
/// </summary>
public sealed class RoomForwarder(IClusterDirectory cluster, ILogger<RoomForwarder> logger) : IDisposable
{
    /// <summary>Set on a forwarded request: the node that forwarded it.</summary>
    public const string ForwardedBy = "Mcu-Forwarded-By";

    // Hop-by-hop headers (RFC 9110 §7.6.1) stay on their hop; CORS headers are this node's to decide.
    private static readonly HashSet<string> NotPassed = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Proxy-Authorization", "Proxy-Authenticate",
        "Proxy-Connection", "Host", "Date", "Server", ForwardedBy,
    };

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan, // downloads take as long as they take; the caller's abort ends them
    };

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Sends the request to the same path and query on <paramref name="node"/> at <paramref name="url"/>
    /// and copies the answer into the response; <paramref name="body"/> replaces a body already read.
    /// </summary>
    public async Task ForwardAsync(HttpContext context, string node, Uri url, HttpContent? body = null)
    {
        var request = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(url, request.PathBase + request.Path + request.QueryString))
        {
            Content = body ?? (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0 ? new StreamContent(request.Body) : null),
        };
        foreach (var (name, values) in request.Headers)
        {
            if (NotPassed.Contains(name) || (body is not null && name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
        message.Headers.TryAddWithoutValidation(ForwardedBy, cluster.Node);

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !context.RequestAborted.IsCancellationRequested))
        {
            Log.ForwardFailed(logger, request.Method, request.Path, node, url.ToString(), e.Message);
            await Results.Problem($"The room's node '{node}' did not answer; try again (a node that stays silent is counted dead after Mcu:Cluster:NodeTimeoutSeconds).",
                title: "Bad gateway", statusCode: StatusCodes.Status502BadGateway).ExecuteAsync(context);
            return;
        }
        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!NotPassed.Contains(name) && !name.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }
}
