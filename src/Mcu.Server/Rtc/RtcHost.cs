using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Mcu.Conference.Receive;
using Mcu.Rtc.Dtls;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Sdp;
using Mcu.Rtc.Transport;
using Microsoft.Extensions.Options;

namespace Mcu.Server.Rtc;

/// <summary>
/// The server's media endpoint: one transport (a UDP socket and an ICE-TCP listener) and one
/// DTLS certificate shared by every participant, and the offer → answer → connection step
/// every WHIP/WHEP resource goes through.
/// </summary>
public sealed class RtcHost : IDisposable
{
    private readonly DtlsCertificate _certificate = DtlsCertificate.Generate();
    private readonly IReadOnlyList<IPEndPoint> _candidates;
    private readonly IReadOnlyList<IPEndPoint> _tcpCandidates;
    private readonly TimeSpan _connectTimeout;

    public RtcHost(IOptions<McuOptions> options, ILogger<MediaTransport> logger)
    {
        var o = options.Value;
        if (o.MaxInputWidth < 16 || o.MaxInputHeight < 16)
        {
            throw new ArgumentException($"Mcu:MaxInputWidth and Mcu:MaxInputHeight must be at least 16 (are {o.MaxInputWidth}x{o.MaxInputHeight}).");
        }
        if (o.ConnectTimeoutSeconds < 1)
        {
            throw new ArgumentException($"Mcu:ConnectTimeoutSeconds must be at least 1 (is {o.ConnectTimeoutSeconds}).");
        }
        _connectTimeout = TimeSpan.FromSeconds(o.ConnectTimeoutSeconds);
        if (o.TcpPort is < 0 or > 65535)
        {
            throw new ArgumentException($"Mcu:TcpPort must be a port number, or 0 for no ICE-TCP (is {o.TcpPort}).");
        }
        var bind = new IPEndPoint(IPAddress.Parse(o.UdpBind), o.UdpPort);
        Transport = new MediaTransport(bind, TimeProvider.System, logger, new TcpTransportOptions
        {
            // Unset: the UDP port's number, so one number is opened in the firewall for both; 0: no TCP at all.
            Listen = o.TcpPort == 0 ? null : new IPEndPoint(bind.Address, o.TcpPort ?? o.UdpPort),
            MaxConnections = o.Limits.MaxTcpConnections,
            MaxConnectionsPerAddress = o.Limits.MaxTcpConnectionsPerAddress,
        });
        _candidates = CandidateAddresses(o, Transport.LocalEndPoint);
        _tcpCandidates = Transport.TcpLocalEndPoint is { } tcp ? CandidateAddresses(o, tcp) : [];
    }

    public MediaTransport Transport { get; }

    /// <summary>The UDP host candidates every answer offers.</summary>
    public IReadOnlyList<IPEndPoint> Candidates => _candidates;

    /// <summary>The passive TCP host candidates every answer offers after the UDP ones; empty with <c>Mcu:TcpPort=0</c>.</summary>
    public IReadOnlyList<IPEndPoint> TcpCandidates => _tcpCandidates;

    /// <summary>
    /// Answers <paramref name="offerSdp"/> and starts a connection whose media goes to the
    /// handler <paramref name="createHandler"/> makes from the negotiated answer.
    /// Throws <see cref="SdpParseException"/> or <see cref="SdpNegotiationException"/>.
    /// </summary>
    public (RtcConnection Connection, SdpAnswer Answer) Accept(string offerSdp, bool receiveMedia,
        Func<SdpAnswer, LocalStreams, IRtcConnectionHandler> createHandler)
    {
        var offer = SessionDescription.Parse(offerSdp);
        var ice = IceCredentials.Generate();
        var streams = LocalStreams.Create();
        var answer = SdpAnswerBuilder.Create(offer, new AnswerOptions
        {
            IceUfrag = ice.Ufrag,
            IcePassword = ice.Password,
            Fingerprint = new SdpFingerprint("sha-256", _certificate.Sha256Fingerprint),
            Candidates = _candidates,
            TcpCandidates = _tcpCandidates,
            AudioSsrc = streams.AudioSsrc,
            VideoSsrc = streams.VideoSsrc,
            Cname = streams.Cname,
            StreamId = streams.StreamId,
            ReceiveMedia = receiveMedia,
        });
        var peer = new PeerConnection(new PeerConnectionOptions
        {
            Role = PeerRole.Server,
            LocalIce = ice,
            RemoteIce = new IceCredentials(answer.RemoteIceUfrag, answer.RemoteIcePassword),
            Certificate = _certificate,
            RemoteFingerprint = answer.RemoteFingerprint.Value,
            // We answer passive unless the offer insists on being passive itself.
            DtlsRole = answer.RemoteSetup == SdpSetup.Passive ? DtlsRole.Client : DtlsRole.Server,
            SetupTimeout = _connectTimeout,
        });
        var handler = createHandler(answer, streams);
        return (Transport.Add(peer, handler), answer);
    }

    public void Dispose() => Transport.Dispose();

    private static IReadOnlyList<IPEndPoint> CandidateAddresses(McuOptions o, IPEndPoint local)
    {
        if (!string.IsNullOrWhiteSpace(o.PublicIp))
        {
            return [new IPEndPoint(IPAddress.Parse(o.PublicIp), local.Port)];
        }
        if (!local.Address.Equals(IPAddress.Any))
        {
            return [local];
        }
        // Bound to every interface: offer each IPv4 address the machine has.
        return NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork)
            .Select(a => new IPEndPoint(a.Address, local.Port))
            .ToList();
    }
}
