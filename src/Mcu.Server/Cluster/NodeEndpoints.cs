using Mcu.Server.Auth;

namespace Mcu.Server.Cluster;

/// <summary><c>GET /api/nodes</c> (admin): the nodes of the cluster, their state and load.</summary>
public static class NodeEndpoints
{
    public static void MapNodeEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/nodes", async (IClusterDirectory cluster, CancellationToken ct) => Results.Ok(await cluster.NodesAsync(ct)))
            .Produces<IReadOnlyList<NodeView>>().WithTags("Nodes").RequireAdmin();
}
