using Mcu.Rtc.Dtls;

namespace Mcu.Rtc.Tests.Dtls;

/// <summary>
/// A server and a client session wired back to back in memory on a simulated clock: the test
/// thread moves each side's output into the other's input and, when nothing moves, jumps the
/// clock to the next timeout. No thread, no sleep.
/// </summary>
internal sealed class DtlsPair : IDisposable
{
    /// <summary>A handshake that has not settled after this much simulated time never will.</summary>
    private const long SimulatedLimitMs = 120_000;

    private readonly byte[] _buffer = new byte[2048];

    /// <param name="clientExpects">Fingerprint the client expects; by default the server's real one.</param>
    /// <param name="serverExpects">Fingerprint the server expects; by default the client's real one.</param>
    internal DtlsPair(string? clientExpects = null, string? serverExpects = null,
        DtlsSessionOptions? serverOptions = null, DtlsSessionOptions? clientOptions = null,
        Func<string, string>? rewriteRealFingerprint = null)
    {
        rewriteRealFingerprint ??= fingerprint => fingerprint;
        ServerCertificate = DtlsCertificate.Generate();
        ClientCertificate = DtlsCertificate.Generate();
        Server = new DtlsSession(DtlsRole.Server, ServerCertificate,
            serverExpects ?? rewriteRealFingerprint(ClientCertificate.Sha256Fingerprint),
            serverOptions ?? DtlsSessionOptions.Default);
        Client = new DtlsSession(DtlsRole.Client, ClientCertificate,
            clientExpects ?? rewriteRealFingerprint(ServerCertificate.Sha256Fingerprint),
            clientOptions ?? DtlsSessionOptions.Default);
    }

    internal DtlsCertificate ServerCertificate { get; }

    internal DtlsCertificate ClientCertificate { get; }

    internal DtlsSession Server { get; }

    internal DtlsSession Client { get; }

    internal long NowMs { get; private set; }

    /// <summary>Every datagram either side sent, with the simulated time; <c>Dropped</c> if the link lost it.</summary>
    internal List<(long AtMs, bool FromServer, byte[] Data, bool Dropped)> Sent { get; } = [];

    internal List<DtlsEvent> ServerEvents { get; } = [];

    internal List<DtlsEvent> ClientEvents { get; } = [];

    /// <summary>Return true to lose a datagram (from the server or not) instead of delivering it.</summary>
    internal Func<bool, byte[], bool> Drop { get; set; } = (_, _) => false;

    internal DtlsEvent.Connected ServerConnected => Assert.Single(ServerEvents.OfType<DtlsEvent.Connected>());

    internal DtlsEvent.Connected ClientConnected => Assert.Single(ClientEvents.OfType<DtlsEvent.Connected>());

    internal void Start()
    {
        Server.Start(NowMs);
        Client.Start(NowMs);
    }

    /// <summary>Moves datagrams both ways until neither side has any left, at the current time.</summary>
    internal void Pump()
    {
        bool moved = true;
        while (moved)
        {
            moved = Move(Client, Server, fromServer: false) | Move(Server, Client, fromServer: true);
            Collect();
        }
    }

    /// <summary>Pumps, jumping the clock from timeout to timeout, until <paramref name="done"/>; false if it never comes.</summary>
    internal bool RunUntil(Func<bool> done)
    {
        Pump();
        while (!done())
        {
            long next = Math.Min(Server.NextTimeoutMs, Client.NextTimeoutMs);
            if (next == long.MaxValue || next > SimulatedLimitMs)
            {
                return false;
            }
            NowMs = Math.Max(NowMs, next);
            Server.HandleTimeout(NowMs);
            Client.HandleTimeout(NowMs);
            Pump();
        }
        return true;
    }

    internal bool RunUntilBothSettled() => RunUntil(() => IsSettled(Server.State) && IsSettled(Client.State));

    internal static bool IsSettled(DtlsState state) => state is DtlsState.Connected or DtlsState.Failed or DtlsState.Closed;

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }

    private bool Move(DtlsSession from, DtlsSession to, bool fromServer)
    {
        bool moved = false;
        while (from.TryPollOutput(_buffer, out int length))
        {
            byte[] datagram = _buffer[..length];
            bool dropped = Drop(fromServer, datagram);
            Sent.Add((NowMs, fromServer, datagram, dropped));
            if (!dropped)
            {
                to.HandleInput(datagram, NowMs);
            }
            moved = true;
        }
        return moved;
    }

    private void Collect()
    {
        while (Server.TryPollEvent(out var serverEvent))
        {
            ServerEvents.Add(serverEvent);
        }
        while (Client.TryPollEvent(out var clientEvent))
        {
            ClientEvents.Add(clientEvent);
        }
    }
}
