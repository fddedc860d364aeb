using System.Net;
using Mcu.Rtc.Ice;

namespace Mcu.Rtc.Tests.Ice;

/// <summary>
/// A controlling client and a lite server wired together in memory on a simulated clock, with
/// knobs to lose datagrams. Nothing here sleeps or reads a clock.
/// </summary>
internal sealed class IcePeerPair : IDisposable
{
    public static readonly IPEndPoint ClientAddress = new(IPAddress.Parse("192.0.2.10"), 50000);
    public static readonly IPEndPoint ServerAddress = new(IPAddress.Parse("192.0.2.1"), 3478);

    private readonly byte[] _request = new byte[IceControllingAgent.MaxRequestLength];
    private readonly byte[] _response = new byte[IceLiteAgent.MaxResponseLength];

    /// <param name="clientViewOfServer">What the client believes the server's credentials are (default: the truth).</param>
    public IcePeerPair(Func<IceCredentials, IceCredentials>? clientViewOfServer = null)
    {
        ServerCredentials = IceCredentials.Generate();
        ClientCredentials = IceCredentials.Generate();
        Server = new IceLiteAgent(ServerCredentials, ClientCredentials);
        Client = new IceControllingAgent(ClientCredentials, clientViewOfServer?.Invoke(ServerCredentials) ?? ServerCredentials, ServerAddress, 0x0123456789abcdef);
    }

    public IceCredentials ServerCredentials { get; }
    public IceCredentials ClientCredentials { get; }
    public IceLiteAgent Server { get; }
    public IceControllingAgent Client { get; }
    public long NowMs { get; private set; }

    /// <summary>Decides per request (1-based count) whether the network loses it.</summary>
    public Func<int, bool> LoseRequest { get; set; } = _ => false;
    public bool LoseResponses { get; set; }

    public List<(long TimeMs, byte[] Datagram)> Requests { get; } = [];
    public List<(long TimeMs, IceInputResult Result, byte[] Response)> ServerResults { get; } = [];
    public long LastResponseDeliveredMs { get; private set; } = -1;
    public long ClientFailedAtMs { get; private set; } = -1;

    public void Dispose()
    {
        Server.Dispose();
        Client.Dispose();
    }

    /// <summary>Runs the client's timers and the exchange until <paramref name="endMs"/>.</summary>
    public void RunUntil(long endMs)
    {
        while (Client.NextTimeoutMs <= endMs)
        {
            NowMs = Math.Max(NowMs, Client.NextTimeoutMs);
            if (!Client.TryPollTransmit(NowMs, _request, out int length))
            {
                Assert.True(Client.HasFailed, "a due poll that sends nothing must mean failure");
                ClientFailedAtMs = NowMs;
                continue;
            }
            byte[] request = _request.AsSpan(0, length).ToArray();
            Requests.Add((NowMs, request));
            if (LoseRequest(Requests.Count))
            {
                continue;
            }
            IceInputResult result = Server.HandleStun(request, ClientAddress, NowMs, _response, out int responseLength);
            byte[] response = _response.AsSpan(0, responseLength).ToArray();
            ServerResults.Add((NowMs, result, response));
            if (responseLength > 0 && !LoseResponses)
            {
                Client.HandleStun(response, ServerAddress, NowMs);
                LastResponseDeliveredMs = NowMs;
            }
        }
        NowMs = Math.Max(NowMs, endMs);
    }
}
