using System.Diagnostics;
using Mcu.Rtc.Dtls;

namespace Mcu.Rtc.Tests.Dtls;

/// <summary>
/// A server and a client session wired back to back in memory: the test thread moves each side's
/// output into the other's input, sleeping on a signal (not a timer) while BC works.
/// </summary>
internal sealed class DtlsPair : IDisposable
{
    /// <summary>Safety net only: a healthy in-memory handshake takes milliseconds.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly AutoResetEvent _activity = new(false);
    private int _clientDatagramsSent;
    private int _serverDatagramsSent;

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
            serverExpects ?? rewriteRealFingerprint(ClientCertificate.Sha256Fingerprint), Signal,
            serverOptions ?? DtlsSessionOptions.Default);
        Client = new DtlsSession(DtlsRole.Client, ClientCertificate,
            clientExpects ?? rewriteRealFingerprint(ServerCertificate.Sha256Fingerprint), Signal,
            clientOptions ?? DtlsSessionOptions.Default);
        Server.StateChanged += _ => Signal();
        Client.StateChanged += _ => Signal();
    }

    internal DtlsCertificate ServerCertificate { get; }

    internal DtlsCertificate ClientCertificate { get; }

    internal DtlsSession Server { get; }

    internal DtlsSession Client { get; }

    /// <summary>Return true to drop the client's n-th datagram (0-based) instead of delivering it.</summary>
    internal Func<int, bool> DropClientDatagram { get; set; } = _ => false;

    internal int ClientDatagramsSent => _clientDatagramsSent;

    internal void Start()
    {
        Server.Start();
        Client.Start();
    }

    /// <summary>Pumps datagrams both ways until <paramref name="done"/> holds; false on deadline.</summary>
    internal bool PumpUntil(Func<bool> done)
    {
        var buffer = new byte[2048];
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > Deadline)
            {
                return false;
            }

            bool moved = false;
            while (Client.TryPollOutput(buffer, out int length))
            {
                if (!DropClientDatagram(_clientDatagramsSent++))
                {
                    Server.HandleInput(buffer.AsSpan(0, length));
                }

                moved = true;
            }

            while (Server.TryPollOutput(buffer, out int length))
            {
                _serverDatagramsSent++;
                Client.HandleInput(buffer.AsSpan(0, length));
                moved = true;
            }

            if (!moved)
            {
                _activity.WaitOne(TimeSpan.FromMilliseconds(200));
            }
        }

        return true;
    }

    internal bool PumpUntilBothSettled() =>
        PumpUntil(() => IsSettled(Server.State) && IsSettled(Client.State));

    internal static bool IsSettled(DtlsState state) => state is DtlsState.Connected or DtlsState.Failed or DtlsState.Closed;

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
        _activity.Dispose();
    }

    private void Signal() => _activity.Set();
}
