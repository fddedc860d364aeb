using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Mcu.Rtc.Dtls;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Sdp;
using Mcu.Rtc.Stun;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>
/// A hostile or half-hearted peer on a bare UDP socket: it posts a real offer, then sends
/// only the datagrams a test chooses (STUN checks, good or forged), so a test sees exactly
/// what the server answers on the wire.
/// </summary>
internal sealed class TransportRawPeer : IDisposable
{
    private TransportRawPeer(UdpClient socket, IceCredentials local, string serverUfrag, string serverPassword, IPEndPoint server, string location)
    {
        Socket = socket;
        Local = local;
        ServerUfrag = serverUfrag;
        ServerPassword = serverPassword;
        Server = server;
        Location = location;
    }

    public UdpClient Socket { get; }

    public IceCredentials Local { get; }

    public string ServerUfrag { get; }

    public string ServerPassword { get; }

    public IPEndPoint Server { get; }

    /// <summary>The session resource (WHIP Location).</summary>
    public string Location { get; }

    /// <summary>POSTs an offer (with the bearer token, if any) and reads the answer; throws unless 201.</summary>
    public static async Task<TransportRawPeer> OfferAsync(HttpClient http, Uri endpoint, string? bearer = null, bool passive = false)
    {
        var response = await PostOfferAsync(http, endpoint, bearer, passive);
        var (ice, offer) = (response.Ice, response.Offer);
        string body = await response.Message.Content.ReadAsStringAsync();
        if (response.Message.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"offer answered {(int)response.Message.StatusCode}: {body}");
        }
        var answer = SdpOfferReader.ReadAnswer(SessionDescription.Parse(body), offer);
        var server = answer.RemoteCandidates.Where(c => c.IsUdp).Select(c => c.EndPoint).First(e => e is not null)!;
        var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return new TransportRawPeer(socket, ice, answer.RemoteIceUfrag, answer.RemoteIcePassword, server,
            response.Message.Headers.Location!.ToString());
    }

    /// <summary>POSTs an offer and returns the raw response (for status codes and problem documents).</summary>
    /// <param name="passive">Offer a=setup:passive, so that the server is the DTLS client and starts the handshake.</param>
    public static async Task<(HttpResponseMessage Message, IceCredentials Ice, OfferOptions Offer)> PostOfferAsync(HttpClient http, Uri endpoint, string? bearer = null, bool passive = false)
    {
        var ice = IceCredentials.Generate();
        var offer = new OfferOptions
        {
            IceUfrag = ice.Ufrag,
            IcePassword = ice.Password,
            Fingerprint = new SdpFingerprint("sha-256", Certificate.Sha256Fingerprint),
            AudioSsrc = (uint)Random.Shared.Next(1, int.MaxValue),
            VideoSsrc = (uint)Random.Shared.Next(1, int.MaxValue),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(passive ? SdpOfferBuilder.Create(offer).Replace("a=setup:actpass", "a=setup:passive") : SdpOfferBuilder.Create(offer), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return (await http.SendAsync(request), ice, offer);
    }

    private static readonly DtlsCertificate Certificate = DtlsCertificate.Generate();

    /// <summary>A Binding request naming the session ("server:client"), signed with <paramref name="password"/>.</summary>
    public static byte[] BindingRequest(string username, string? password, bool useCandidate = true)
    {
        var buffer = new byte[256];
        byte[] transactionId = new byte[12];
        Random.Shared.NextBytes(transactionId);
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, transactionId);
        writer.WriteUsername(Encoding.UTF8.GetBytes(username));
        writer.WritePriority(IceControllingAgent.PeerReflexivePriority);
        writer.WriteIceControlling(42);
        if (useCandidate)
        {
            writer.WriteUseCandidate();
        }
        if (password is not null)
        {
            writer.WriteMessageIntegrity(Encoding.UTF8.GetBytes(password));
        }
        writer.WriteFingerprint();
        return buffer.AsSpan(0, writer.Length).ToArray();
    }

    /// <summary>A correctly signed check with USE-CANDIDATE: ICE completes, the server starts DTLS and waits.</summary>
    public void CompleteIce() =>
        Socket.Send(BindingRequest($"{ServerUfrag}:{Local.Ufrag}", ServerPassword), Server);

    /// <summary>
    /// Completes ICE, then starts a DTLS handshake as client and sends only its first flight
    /// (the ClientHello): the server's DTLS session is left mid-handshake, waiting for more.
    /// </summary>
    public async Task StallDtlsAsync()
    {
        CompleteIce();
        if (await ReceiveStunResponseAsync(TimeSpan.FromSeconds(5)) != 0)
        {
            throw new InvalidOperationException("ICE did not complete");
        }
        var dtls = new DtlsSession(DtlsRole.Client, Certificate, new string('A', 2));
        _stalled.Add(dtls);
        dtls.Start(0);
        var buffer = new byte[1500];
        while (dtls.TryPollOutput(buffer, out int length))
        {
            Socket.Send(buffer.AsSpan(0, length), Server);
        }
    }

    private readonly List<DtlsSession> _stalled = [];

    /// <summary>The next datagram from the server within <paramref name="timeout"/>, or null.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var result = await Socket.ReceiveAsync(cts.Token);
            return result.Buffer;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Waits for a STUN response to a Binding request and returns its error code (0 for success).</summary>
    public async Task<int?> ReceiveStunResponseAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var datagram = await ReceiveAsync(deadline - DateTime.UtcNow);
            if (datagram is null)
            {
                return null;
            }
            if (ResponseCode(datagram) is { } code)
            {
                return code;
            }
        }
        return null;
    }

    /// <summary>0 for a Binding success response, the error code for an error response, null for anything else.</summary>
    public static int? ResponseCode(ReadOnlySpan<byte> datagram)
    {
        if (!StunMessage.TryParse(datagram, out var message) || message.Method != StunMethod.Binding)
        {
            return null;
        }
        if (message.Class == StunClass.SuccessResponse)
        {
            return 0;
        }
        return message.Class == StunClass.ErrorResponse && message.TryGetErrorCode(out int code) ? code : null;
    }

    public void Dispose()
    {
        foreach (var dtls in _stalled)
        {
            dtls.Dispose();
        }
        Socket.Dispose();
    }
}
