using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Mcu.Server.Cluster;

/// <summary>
/// Where other nodes and clients reach this node: <c>Mcu:NodeUrl</c>, or the one address it
/// listens on when that names a host (a wildcard such as 0.0.0.0 does not say how to reach it).
/// </summary>
public static class NodeAddress
{
    private static readonly string[] Wildcards = ["0.0.0.0", "[::]", "::", "+", "*"];

    /// <summary>Mcu:NodeUrl as a base URL, or null when it is not set.</summary>
    public static Uri? Configured(string? nodeUrl) =>
        string.IsNullOrWhiteSpace(nodeUrl) ? null : new Uri(nodeUrl.Trim().TrimEnd('/') + "/");

    /// <summary>What is wrong with the settings for a node of a cluster, or null.</summary>
    /// <param name="urls">The listen addresses (<c>--urls</c>), ';'-separated; null: the server's default.</param>
    public static string? Problem(string? nodeUrl, string? urls, bool hasHttpPorts)
    {
        if (!string.IsNullOrWhiteSpace(nodeUrl))
        {
            return Uri.TryCreate(nodeUrl.Trim(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                && url.AbsolutePath.TrimEnd('/').Length == 0 && url.Query.Length == 0
                ? null
                : $"Mcu:NodeUrl '{nodeUrl}' must be an http(s) base URL with no path, such as http://10.0.0.5:8080";
        }
        string[] listen = (urls ?? McuApp.DefaultUrl).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (hasHttpPorts || listen.Length == 0 || listen.Any(u => Wildcards.Any(w => u.Contains("//" + w, StringComparison.Ordinal))))
        {
            return "Mcu:NodeUrl is required with Mcu:StorageConnectionString when the server listens on a wildcard address: "
                + "set it to the URL other nodes and clients reach this node at";
        }
        return null;
    }

    /// <summary>The first listen address (<c>--urls</c>) when it names a host and a port, so the URL is known before the server starts.</summary>
    public static Uri? FromListen(string? urls)
    {
        string first = (urls ?? McuApp.DefaultUrl).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        return Uri.TryCreate(first.TrimEnd('/') + "/", UriKind.Absolute, out var url) && url.Port > 0
            && !Wildcards.Any(w => first.Contains("//" + w, StringComparison.Ordinal)) ? url : null;
    }

    /// <summary>The first address the started server listens on (with the port it got, if it asked for 0).</summary>
    public static Uri? FromServer(IServer server) =>
        server.Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(a => Uri.TryCreate(a.TrimEnd('/') + "/", UriKind.Absolute, out var url) ? url : null)
            .FirstOrDefault(u => u is not null);
}
