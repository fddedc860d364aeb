using Mcu.Rtc.Srtp;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Mcu.Rtc.Dtls;

/// <summary>
/// One DTLS-SRTP association (RFC 5764) over BouncyCastle, shaped like our sans-IO sessions:
/// the owner hands in datagrams with <see cref="HandleInput"/> and drains
/// <see cref="TryPollOutput"/> whenever <c>outputReady</c> fires.
/// </summary>
/// <remarks>
/// Why DTLS, alone among our protocols, owns a thread and a clock: BC's DTLS state machine is
/// blocking code — Accept/Connect pull datagrams through <see cref="DatagramTransport"/>.Receive
/// with a wait time and retransmit flights when that wait runs out. Rewriting that as a
/// push-driven state machine means re-implementing DTLS, so instead the handshake runs on a
/// dedicated thread, blocked on a queue the owner fills, and BC's own retransmission timer
/// (RFC 6347 §4.2.4) stays in charge. The thread then keeps reading so that BC can answer
/// retransmitted final flights and notice close_notify; it ends on close, failure or Dispose.
/// It only ever waits on a monitor — no polling.
/// </remarks>
public sealed class DtlsSession : IDisposable
{
    private const byte FirstDtlsContentType = 20;
    private const byte LastDtlsContentType = 63;

    /// <summary>
    /// A connected session keeps its thread blocked in a receive for its lifetime; BC's handshake
    /// needs far less than the default 1 MiB stack, so reserve less per participant.
    /// </summary>
    private const int ThreadStackBytes = 256 * 1024;

    private readonly DtlsRole _role;
    private readonly DtlsSrtpNegotiation _negotiation;
    private readonly DtlsDatagramChannel _channel;
    private readonly object _lifecycleGate = new();
    private Thread? _thread;
    private volatile DtlsTransport? _transport;
    private volatile DtlsState _state = DtlsState.New;
    private volatile string? _failureReason;
    private volatile bool _disposed;

    public DtlsSession(DtlsRole role, DtlsCertificate local, string remoteSha256Fingerprint, Action outputReady)
        : this(role, local, remoteSha256Fingerprint, outputReady, DtlsSessionOptions.Default)
    {
    }

    internal DtlsSession(DtlsRole role, DtlsCertificate local, string remoteSha256Fingerprint, Action outputReady,
        DtlsSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remoteSha256Fingerprint);
        ArgumentNullException.ThrowIfNull(outputReady);
        _role = role;
        _negotiation = new DtlsSrtpNegotiation(local, remoteSha256Fingerprint, options);
        _channel = new DtlsDatagramChannel(outputReady);
    }

    /// <summary>
    /// Raised on the handshake thread (or in <see cref="Dispose"/> if never started). Handlers must
    /// not block (the handshake waits for them) and must not throw.
    /// </summary>
    public event Action<DtlsState>? StateChanged;

    public DtlsState State => _state;

    /// <summary>Why the session is <see cref="DtlsState.Failed"/>; null otherwise.</summary>
    public string? FailureReason => _failureReason;

    /// <summary>The negotiated use_srtp profile; valid once the session has been Connected.</summary>
    public SrtpProfile SrtpProfile => HandshakeResult().Profile;

    /// <summary>
    /// RFC 5764 §4.2 EXTRACTOR-dtls_srtp output: client key, server key, client salt, server salt
    /// (60 bytes for AES_CM_128_HMAC_SHA1_80, 56 for AEAD_AES_128_GCM). A copy; valid once Connected.
    /// </summary>
    public byte[] SrtpKeyingMaterial => (byte[])HandshakeResult().KeyingMaterial!.Clone();

    /// <summary>Starts the handshake thread; as client, the ClientHello goes out at once.</summary>
    public void Start()
    {
        lock (_lifecycleGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_thread is not null)
            {
                throw new InvalidOperationException("DTLS session already started.");
            }

            _state = DtlsState.Handshaking;
            _thread = new Thread(Run, ThreadStackBytes)
            {
                IsBackground = true,
                Name = $"dtls-{_role.ToString().ToLowerInvariant()}",
            };
            _thread.Start();
        }
    }

    /// <summary>A DTLS record datagram from the peer (first byte 20-63, RFC 7983); copied.</summary>
    public void HandleInput(ReadOnlySpan<byte> datagram)
    {
        // RFC 7983 §7: only 20-63 is DTLS; anything else was misrouted and is not BC's business.
        if (datagram.IsEmpty || datagram[0] < FirstDtlsContentType || datagram[0] > LastDtlsContentType)
        {
            return;
        }

        _channel.EnqueueInput(datagram);
    }

    /// <summary>Copies the next datagram to send; false when there is none.</summary>
    public bool TryPollOutput(Span<byte> destination, out int length) =>
        _channel.TryDequeueOutput(destination, out length);

    /// <summary>
    /// Sends close_notify if connected and tells the handshake thread to end, then waits for it
    /// at most <see cref="DisposeWait"/>. A thread still busy after that (inside BouncyCastle, or
    /// in a slow StateChanged handler) ends by itself once it returns: it is a background thread
    /// and the channel it reads is aborted. Stopping a server with hundreds of sessions therefore
    /// never waits on any one of them.
    /// </summary>
    public void Dispose()
    {
        if (Stop() is { } thread && thread != Thread.CurrentThread)
        {
            thread.Join(DisposeWait);
        }
    }

    /// <summary>
    /// Sends close_notify if connected and tells the handshake thread to end, without waiting
    /// for it (<see cref="WaitForThreadExit"/> does). Whoever stops many sessions at once stops
    /// them all first and then waits once, not once per session.
    /// </summary>
    /// <returns>The handshake thread, if it was started.</returns>
    public Thread? Stop()
    {
        Thread? thread;
        lock (_lifecycleGate)
        {
            if (_disposed)
            {
                return null;
            }

            _disposed = true;
            thread = _thread;
        }

        if (thread is null)
        {
            SetState(DtlsState.Closed);
            return null;
        }

        try
        {
            // Sends close_notify through the channel (RFC 5246 §7.2.1) and closes it, which wakes the thread.
            _transport?.Close();
        }
        catch (Exception)
        {
            // Best effort: the peer also learns of the end through ICE consent expiry.
        }

        _channel.Abort();
        return thread;
    }

    /// <summary>How long <see cref="Dispose"/> waits for the handshake thread.</summary>
    internal static TimeSpan DisposeWait { get; } = TimeSpan.FromMilliseconds(200);

    /// <summary>True once the handshake thread has ended (or never started); for tests and shutdown.</summary>
    public bool WaitForThreadExit(TimeSpan timeout)
    {
        Thread? thread;
        lock (_lifecycleGate)
        {
            thread = _thread;
        }
        return thread is null || thread.Join(timeout);
    }

    private void Run()
    {
        // State is already Handshaking (set by Start so callers see it at once); announce it here.
        StateChanged?.Invoke(DtlsState.Handshaking);
        try
        {
            var crypto = new BcTlsCrypto(new SecureRandom());
            DtlsTransport transport = _role == DtlsRole.Server
                ? new DtlsServerProtocol().Accept(new DtlsSrtpServer(crypto, _negotiation), _channel)
                : new DtlsClientProtocol().Connect(new DtlsSrtpClient(crypto, _negotiation), _channel);
            _transport = transport;
            if (_disposed)
            {
                transport.Close();
                SetState(DtlsState.Closed);
                return;
            }

            SetState(DtlsState.Connected);

            // No application data is expected (no data channels); reading keeps BC answering
            // retransmitted handshake flights and processing alerts until the channel closes.
            var buffer = new byte[transport.GetReceiveLimit()];
            while (!_disposed)
            {
                transport.Receive(buffer, 0, buffer.Length, 0);
            }

            SetState(DtlsState.Closed);
        }
        catch (Exception exception)
        {
            if (_disposed || _negotiation.CloseNotifyReceived)
            {
                SetState(DtlsState.Closed);
            }
            else
            {
                _failureReason = _negotiation.FailureReason ?? Describe(exception);
                SetState(DtlsState.Failed);
            }
        }
    }

    private static string Describe(Exception exception) => exception switch
    {
        TlsTimeoutException => "DTLS handshake timed out",
        TlsFatalAlertReceived received => $"peer sent fatal alert {AlertDescription.GetName(received.AlertDescription)}",
        TlsFatalAlert alert => $"DTLS failed: {AlertDescription.GetName(alert.AlertDescription)}",
        _ => $"DTLS failed: {exception.Message}",
    };

    private DtlsSrtpNegotiation HandshakeResult() =>
        _negotiation.KeyingMaterial is null
            ? throw new InvalidOperationException("DTLS handshake has not completed.")
            : _negotiation;

    private void SetState(DtlsState state)
    {
        _state = state;
        StateChanged?.Invoke(state);
    }
}
