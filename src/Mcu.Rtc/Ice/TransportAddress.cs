using System.Net;

namespace Mcu.Rtc.Ice;

/// <summary>The transport protocol of a candidate: UDP, or TCP with RFC 4571 framing (RFC 6544).</summary>
public enum TransportProtocol
{
    Udp,
    Tcp,
}

/// <summary>
/// A transport address as RFC 8445 §3 defines it: IP address, port and transport protocol. One peer
/// may be reached on UDP and on TCP from the same IP and even the same port number; these are two
/// paths, and media goes on the one the peer nominated. Treat the endpoint as immutable.
/// </summary>
public sealed record TransportAddress(TransportProtocol Protocol, IPEndPoint EndPoint)
{
    public static TransportAddress Udp(IPEndPoint endPoint) => new(TransportProtocol.Udp, endPoint);

    public static TransportAddress Tcp(IPEndPoint endPoint) => new(TransportProtocol.Tcp, endPoint);

    public bool Is(TransportProtocol protocol, IPEndPoint endPoint) => Protocol == protocol && EndPoint.Equals(endPoint);

    public override string ToString() => $"{(Protocol == TransportProtocol.Tcp ? "tcp" : "udp")} {EndPoint}";
}
