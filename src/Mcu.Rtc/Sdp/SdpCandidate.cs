using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Mcu.Rtc.Sdp;

/// <summary>
/// <c>a=candidate:&lt;foundation&gt; &lt;component&gt; &lt;transport&gt; &lt;priority&gt; &lt;address&gt; &lt;port&gt;
/// typ &lt;type&gt; [raddr &lt;addr&gt;] [rport &lt;port&gt;] [&lt;extension&gt; &lt;value&gt;]*</c> (RFC 8839 §5.1).
/// <see cref="Address"/> may be an IP or an mDNS name; <see cref="Extensions"/> keeps the rest
/// (tcptype, generation, network-id, ...) verbatim.
/// </summary>
public sealed record SdpCandidate(
    string Foundation,
    int Component,
    string Transport,
    uint Priority,
    string Address,
    int Port,
    string Type,
    string? RelatedAddress,
    int? RelatedPort,
    string? Extensions)
{
    internal const string Grammar =
        "a=candidate needs '<foundation> <component> <transport> <priority> <address> <port> typ <type> ...'";

    /// <summary>Host priority for a UDP candidate of component 1 (RFC 8445 §5.1.2.1: type 126, local 65535).</summary>
    public const uint HostUdpPriority = 2130706431;

    /// <summary>Host priority for a passive TCP candidate of component 1 (RFC 6544 §4.2), below every UDP host candidate.</summary>
    public const uint HostTcpPassivePriority = (90u << 24) | ((4u << 13) + 8191u) << 8 | 255u;

    public bool IsUdp => string.Equals(Transport, "udp", StringComparison.OrdinalIgnoreCase);

    public bool IsTcp => string.Equals(Transport, "tcp", StringComparison.OrdinalIgnoreCase);

    /// <summary>RFC 6544 §4.5 <c>tcptype</c>: active, passive or so; null for UDP or when absent.</summary>
    public string? TcpType
    {
        get
        {
            if (Extensions is null)
            {
                return null;
            }
            string[] p = Extensions.Split(' ');
            for (int i = 0; i + 1 < p.Length; i += 2)
            {
                if (p[i] == "tcptype")
                {
                    return p[i + 1];
                }
            }
            return null;
        }
    }

    /// <summary>The endpoint when <see cref="Address"/> is a literal IP, otherwise null (mDNS names).</summary>
    public IPEndPoint? EndPoint => IPAddress.TryParse(Address, out IPAddress? ip) ? new IPEndPoint(ip, Port) : null;

    internal static bool TryParse(string value, [NotNullWhen(true)] out SdpCandidate? candidate)
    {
        candidate = null;
        string[] p = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (p.Length < 8 || p[6] != "typ")
        {
            return false;
        }

        if (!SdpNumbers.TryParseInt(p[1], out int component) || component is < 1 or > 256
            || !SdpNumbers.TryParseUInt(p[3], out uint priority)
            || !SdpNumbers.TryParseInt(p[5], out int port) || port > 65535)
        {
            return false;
        }

        string? relatedAddress = null;
        int? relatedPort = null;
        int i = 8;
        if (i + 1 < p.Length && p[i] == "raddr")
        {
            relatedAddress = p[i + 1];
            i += 2;
        }

        if (i + 1 < p.Length && p[i] == "rport")
        {
            if (!SdpNumbers.TryParseInt(p[i + 1], out int rp) || rp > 65535)
            {
                return false;
            }

            relatedPort = rp;
            i += 2;
        }

        // Extensions come in name/value pairs (RFC 8839 §5.1 extension-att-name SP extension-att-value).
        if ((p.Length - i) % 2 != 0)
        {
            return false;
        }

        string? extensions = i < p.Length ? string.Join(' ', p[i..]) : null;
        candidate = new SdpCandidate(p[0], component, p[2], priority, p[4], port, p[7], relatedAddress, relatedPort, extensions);
        return true;
    }

    /// <summary>A host UDP candidate for component 1, as an ICE-lite server announces its socket.</summary>
    public static SdpCandidate Host(string foundation, uint priority, IPEndPoint endPoint) =>
        new(foundation, 1, "udp", priority, endPoint.Address.ToString(), endPoint.Port, "host", null, null, null);

    /// <summary>A passive host TCP candidate for component 1 (RFC 6544 §4.5), as an ICE-lite server announces its listener.</summary>
    public static SdpCandidate HostTcpPassive(string foundation, uint priority, IPEndPoint endPoint) =>
        new(foundation, 1, "tcp", priority, endPoint.Address.ToString(), endPoint.Port, "host", null, null, "tcptype passive");

    public override string ToString()
    {
        var text = new System.Text.StringBuilder();
        text.Append($"{Foundation} {Component} {Transport} {Priority} {Address} {Port} typ {Type}");
        if (RelatedAddress is not null)
        {
            text.Append($" raddr {RelatedAddress}");
        }

        if (RelatedPort is { } rp)
        {
            text.Append($" rport {rp}");
        }

        if (Extensions is not null)
        {
            text.Append(' ').Append(Extensions);
        }

        return text.ToString();
    }
}
