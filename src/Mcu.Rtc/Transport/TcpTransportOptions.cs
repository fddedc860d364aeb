using System.Net;

namespace Mcu.Rtc.Transport;

/// <summary>The TCP side of a <see cref="MediaTransport"/>: where it listens (RFC 6544 passive candidates) and its limits.</summary>
public sealed class TcpTransportOptions
{
    /// <summary>Where to listen; null: no listener (a client still connects out to a server's TCP candidate).</summary>
    public IPEndPoint? Listen { get; init; }

    /// <summary>Connections open at once (accepted and connecting); past it a new one is closed at once.</summary>
    public int MaxConnections { get; init; } = 1000;

    /// <summary>Accepted connections from one IP address at once: many people behind one firewall share an address.</summary>
    public int MaxConnectionsPerAddress { get; init; } = 100;

    /// <summary>An accepted connection whose first valid ICE check for a known session has not come by then is closed.</summary>
    public TimeSpan FirstCheckTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A connection that holds half a frame this long without completing one, or has bytes to send and
    /// the peer takes none of them this long, is closed.
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Bytes (frames with their headers) waiting to be sent on one connection; past it frames are dropped
    /// and counted. The socket's kernel send buffer gets the same size, so what waits for a slow reader,
    /// and how late it arrives, stays bounded: stale media is worth less than a gap NACK or a keyframe fills.
    /// </summary>
    public int SendQueueBytes { get; init; } = 256 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (MaxConnections < 1 || MaxConnectionsPerAddress < 1)
        {
            throw new ArgumentException($"TCP connection limits must be at least 1 (are {MaxConnections} in all, {MaxConnectionsPerAddress} per address).");
        }
        if (FirstCheckTimeout <= TimeSpan.Zero || StallTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("TCP timeouts must be positive.");
        }
        if (SendQueueBytes < Rfc4571Frame.HeaderLength + Rfc4571Frame.MaxPayload)
        {
            throw new ArgumentException($"The TCP send queue must hold at least one whole frame ({Rfc4571Frame.HeaderLength + Rfc4571Frame.MaxPayload} bytes).");
        }
    }
}
