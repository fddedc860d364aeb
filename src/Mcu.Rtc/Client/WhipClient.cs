using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Mcu.Rtc.Dtls;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Sdp;
using Mcu.Rtc.Transport;

namespace Mcu.Rtc.Client;

/// <summary>
/// The client role over WHIP/WHEP (RFC 9725): our own stack joining a server the way a
/// browser does — an offer over HTTP, then ICE (controlling), DTLS (client) and SRTP on a
/// UDP socket of its own bound to 127.0.0.1 (or what <see cref="WhipClientOptions.Bind"/>
/// says), or on a TCP connection to the server's passive candidate (<see cref="WhipClientOptions.Protocol"/>).
/// Tests and load bots use it; media goes through <see cref="Connection"/>.
/// </summary>
public sealed class WhipClient : IAsyncDisposable
{
    private readonly HttpClient _http;
    private string? _bearerToken;
    private readonly MediaTransport _transport;

    private WhipClient(HttpClient http, MediaTransport transport, RtcConnection connection, SdpAnswer answer, Uri resource, OfferOptions offer)
    {
        _http = http;
        _transport = transport;
        Connection = connection;
        Answer = answer;
        Resource = resource;
        AudioSsrc = offer.AudioSsrc;
        VideoSsrc = offer.VideoSsrc;
    }

    /// <summary>The simulated network loss on this client's packets (none unless set in the options).</summary>
    public LossSwitch Loss { get; private init; } = new();

    public RtcConnection Connection { get; }

    /// <summary>What was agreed: payload types, feedback, the server's SSRCs.</summary>
    public SdpAnswer Answer { get; }

    /// <summary>The session's URL (the Location); DELETE on it leaves.</summary>
    public Uri Resource { get; }

    /// <summary>The session's entity tag (RFC 9725 §4.3.1), for If-Match on a trickle PATCH; null if the server sent none.</summary>
    public string? ETag { get; private init; }

    public uint AudioSsrc { get; }

    public uint VideoSsrc { get; }

    public TransportCounters Counters => _transport.Counters;

    /// <summary>The client's socket, for tests that send raw (bad) datagrams from its address.</summary>
    internal MediaTransport Transport => _transport;

    /// <summary>POSTs an offer to <paramref name="endpoint"/> and starts connecting to the answer's first candidate of the chosen protocol.</summary>
    public static async Task<WhipClient> ConnectAsync(HttpClient http, Uri endpoint, IRtcConnectionHandler handler,
        WhipClientOptions? options = null, CancellationToken ct = default)
    {
        options ??= new WhipClientOptions();
        var certificate = options.Certificate ?? DtlsCertificate.Generate();
        var ice = IceCredentials.Generate();
        var streams = LocalStreams.Create();
        var offer = new OfferOptions
        {
            IceUfrag = ice.Ufrag,
            IcePassword = ice.Password,
            Fingerprint = new SdpFingerprint("sha-256", certificate.Sha256Fingerprint),
            AudioSsrc = streams.AudioSsrc,
            VideoSsrc = streams.VideoSsrc,
            Cname = streams.Cname,
            StreamId = streams.StreamId,
            VideoCodec = options.VideoCodec,
            Direction = options.Direction,
            Red = options.Red,
        };
        string sdp = SdpOfferBuilder.Create(offer);
        var response = await PostAsync(http, endpoint, sdp, options.BearerToken, ct);
        // RFC 9725 §4.5: a 307 to another server. HttpClient follows it but drops Authorization on the way:
        // send the offer again, with the token, to where it led.
        if (response.StatusCode == HttpStatusCode.Unauthorized && options.BearerToken is not null
            && response.RequestMessage?.RequestUri is { } led && led != endpoint)
        {
            response.Dispose();
            response = await PostAsync(http, led, sdp, options.BearerToken, ct);
        }
        using var _ = response;
        string body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new WhipException((int)response.StatusCode, body);
        }
        var location = response.Headers.Location ?? throw new WhipException(201, "the answer has no Location");
        string? etag = response.Headers.ETag?.Tag;
        var answer = SdpOfferReader.ReadAnswer(SessionDescription.Parse(body), offer);
        bool tcp = options.Protocol == TransportProtocol.Tcp;
        // RFC 6544: a passive TCP candidate is one we can connect to.
        var candidate = answer.RemoteCandidates.Where(c => tcp ? c.IsTcp && c.TcpType == "passive" : c.IsUdp)
                .Select(c => c.EndPoint).FirstOrDefault(e => e is not null)
            ?? throw new WhipException(201, $"the answer has no {(tcp ? "passive TCP" : "UDP")} candidate with an IP address");

        var transport = new MediaTransport(options.Bind ?? new IPEndPoint(IPAddress.Loopback, 0));
        try
        {
            var peer = new PeerConnection(new PeerConnectionOptions
            {
                Role = PeerRole.Client,
                LocalIce = ice,
                RemoteIce = new IceCredentials(answer.RemoteIceUfrag, answer.RemoteIcePassword),
                Certificate = certificate,
                RemoteFingerprint = answer.RemoteFingerprint.Value,
                DtlsRole = answer.LocalSetup == SdpSetup.Passive ? DtlsRole.Server : DtlsRole.Client,
                RemoteCandidate = candidate,
                RemoteCandidateProtocol = options.Protocol,
            });
            var loss = options.Loss ?? new LossSwitch();
            var connection = transport.Add(peer, loss.Wrap(handler));
            // Relative to where the answer came from, which a redirect may have changed.
            var resource = new Uri(response.RequestMessage?.RequestUri ?? endpoint, location);
            return new WhipClient(http, transport, connection, answer, resource, offer) { _bearerToken = options.BearerToken, ETag = etag, Loss = loss };
        }
        catch
        {
            transport.Dispose();
            throw;
        }
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, Uri endpoint, string sdp, string? token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(sdp, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await http.SendAsync(request, ct);
    }

    /// <summary>Sends an RTP packet (plain, protected in place) unless the <see cref="Loss"/> switch drops it; true when it went out.</summary>
    public bool SendRtp(Span<byte> buffer, int length) => !Loss.DropUplink() && Connection.SendRtp(buffer, length);

    /// <summary>Leaves: DELETE on the resource, then closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            // RFC 9725 §4.5: the session resource takes the same token as the endpoint.
            using var request = new HttpRequestMessage(HttpMethod.Delete, Resource);
            if (_bearerToken is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _bearerToken);
            }
            using var response = await _http.SendAsync(request);
        }
        catch (HttpRequestException)
        {
            // The server may be gone already; the connection closes either way.
        }
        _transport.Dispose();
    }
}

public sealed class WhipClientOptions
{
    public CodecKind VideoCodec { get; init; } = CodecKind.Vp8;

    public SdpDirection Direction { get; init; } = SdpDirection.SendRecv;

    public DtlsCertificate? Certificate { get; init; }

    public string? BearerToken { get; init; }

    /// <summary>Local UDP address; default 127.0.0.1 with any port.</summary>
    public IPEndPoint? Bind { get; init; }

    /// <summary>TCP: connect to the server's passive TCP candidate (ICE-TCP) instead of using UDP, as a client whose UDP is blocked.</summary>
    public TransportProtocol Protocol { get; init; } = TransportProtocol.Udp;

    /// <summary>Offer Opus in RED beside Opus, as Chrome does.</summary>
    public bool Red { get; init; } = true;

    /// <summary>Simulated loss on this client's RTP, both ways (<see cref="WhipClient.SendRtp"/> and what it receives); null: none.</summary>
    public LossSwitch? Loss { get; init; }
}

public sealed class WhipException(int status, string body) : Exception($"WHIP answered {status}: {body}")
{
    public int Status { get; } = status;

    public string Body { get; } = body;
}
