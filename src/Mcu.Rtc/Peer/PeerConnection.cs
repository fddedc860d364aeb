using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Mcu.Rtc.Dtls;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Srtp;
using Mcu.Rtc.Stun;

namespace Mcu.Rtc.Peer;

public enum PeerState { New, Connecting, Connected, Closed, Failed }

/// <summary>What one received datagram turned out to be.</summary>
public enum PeerInput
{
    /// <summary>Not for us, malformed, failed authentication, or arrived before keys.</summary>
    Dropped,

    /// <summary>
    /// An authenticated STUN check or response, or DTLS; any reply is waiting in
    /// <see cref="PeerConnection.TryPollTransmit"/>. Only this says the sender's address is the peer's.
    /// </summary>
    Control,

    /// <summary>
    /// A STUN request refused with an error (400, 401, 487): the error waits in
    /// <see cref="PeerConnection.TryPollTransmit"/>, and nothing about the sender was learned.
    /// </summary>
    Refused,

    /// <summary>SRTP unprotected in place: the datagram's first <c>plainLength</c> bytes are RTP.</summary>
    Rtp,

    /// <summary>SRTCP unprotected in place: the datagram's first <c>plainLength</c> bytes are RTCP.</summary>
    Rtcp,
}

/// <summary>
/// One participant's secure media connection: ICE, DTLS and SRTP composed, without
/// sockets or clocks. Datagrams and the time go in; control datagrams come out of
/// <see cref="TryPollTransmit"/>, media is unprotected in place by
/// <see cref="HandleDatagram"/> and protected in place by <see cref="TryProtectRtp"/>.
/// DTLS alone runs its handshake on a thread of its own (see <see cref="DtlsSession"/>);
/// its output is announced through <see cref="TransmitReady"/>.
/// </summary>
public sealed class PeerConnection : IDisposable
{
    /*
     * RFC 7983 §7: the first byte tells the protocols apart on one port.
     *              +----------------+
     *              |        [0..3] -+--> STUN
     *              |      [20..63] -+--> DTLS
     *  packet -->  |    [128..191] -+--> RTP / RTCP
     *              +----------------+
     */
    private const byte StunMax = 3;
    private const byte DtlsMin = 20, DtlsMax = 63;
    private const byte RtpMin = 128, RtpMax = 191;
    private const int MaxControlDatagram = 1500;

    private readonly PeerConnectionOptions _options;
    private readonly IceLiteAgent? _iceLite;
    private readonly IceControllingAgent? _iceControlling;
    private readonly DtlsSession _dtls;
    private readonly ConcurrentQueue<(byte[] Data, int Length, IPEndPoint To)> _control = new();
    private readonly Lock _sendLock = new();
    private readonly Lock _iceLock = new();
    private readonly Lock _stateLock = new();
    private bool _iceDisposed;
    private SrtpContext? _srtpIn;
    private SrtpContext? _srtpOut;
    private volatile PeerState _state = PeerState.New;
    private bool _dtlsStarted;
    private long? _firstTimeoutMs;

    public PeerConnection(PeerConnectionOptions options)
    {
        _options = options;
        if (options.Role == PeerRole.Server)
        {
            _iceLite = new IceLiteAgent(options.LocalIce, options.RemoteIce);
        }
        else
        {
            var candidate = options.RemoteCandidate
                ?? throw new ArgumentException("The client role needs the server's candidate.", nameof(options));
            _iceControlling = new IceControllingAgent(options.LocalIce, options.RemoteIce, candidate,
                RandomTieBreaker());
            _state = PeerState.Connecting;
        }
        _dtls = new DtlsSession(options.DtlsRole, options.Certificate, options.RemoteFingerprint, OnDtlsOutput);
        _dtls.StateChanged += OnDtlsStateChanged;
    }

    /// <summary>Raised (on any thread) when control output is waiting that no input call will drain: DTLS flights.</summary>
    public event Action? TransmitReady;

    /// <summary>Raised (on any thread) when <see cref="State"/> changes.</summary>
    public event Action<PeerState>? StateChanged;

    public PeerState State => _state;

    public string? FailureReason { get; private set; }

    public string LocalUfrag => _options.LocalIce.Ufrag;

    /// <summary>Client role: the server's candidate, known before any datagram arrives.</summary>
    public IPEndPoint? RemoteCandidate => _options.RemoteCandidate;

    /// <summary>Where media goes: the address ICE nominated.</summary>
    public IPEndPoint? RemoteEndPoint => _iceLite?.SelectedRemote ?? (_iceControlling is { IsConnected: true } ? _options.RemoteCandidate : null);

    public SrtpProfile? SrtpProfile => _srtpOut is null ? null : _dtls.SrtpProfile;

    /// <summary>
    /// Handles one datagram from <paramref name="remote"/>. For <see cref="PeerInput.Rtp"/> and
    /// <see cref="PeerInput.Rtcp"/> the plaintext is <c>datagram[..plainLength]</c>.
    /// </summary>
    public PeerInput HandleDatagram(Span<byte> datagram, IPEndPoint remote, long nowMs, out int plainLength)
    {
        plainLength = 0;
        if (datagram.IsEmpty || _state is PeerState.Closed or PeerState.Failed)
        {
            return PeerInput.Dropped;
        }
        byte first = datagram[0];
        if (first <= StunMax)
        {
            return HandleStun(datagram, remote, nowMs);
        }
        if (first is >= DtlsMin and <= DtlsMax)
        {
            if (!IsIceConnected)
            {
                return PeerInput.Dropped;
            }
            StartDtlsOnce();
            _dtls.HandleInput(datagram);
            return PeerInput.Control;
        }
        if (first is >= RtpMin and <= RtpMax)
        {
            var srtp = _srtpIn;
            if (srtp is null)
            {
                return PeerInput.Dropped;
            }
            if (RtpDemux.IsRtcp(datagram))
            {
                return srtp.TryUnprotectRtcp(datagram, out plainLength) ? PeerInput.Rtcp : PeerInput.Dropped;
            }
            return srtp.TryUnprotectRtp(datagram, out plainLength) ? PeerInput.Rtp : PeerInput.Dropped;
        }
        return PeerInput.Dropped;
    }

    /// <summary>
    /// Drives the timers: client connectivity checks, consent freshness, set-up timeout.
    /// Call it often (every 20-50 ms); it does work only when some is due.
    /// </summary>
    public void HandleTimeout(long nowMs)
    {
        lock (_iceLock)
        {
            if (_iceDisposed || _state is PeerState.Closed or PeerState.Failed)
            {
                return;
            }
            HandleTimeoutLocked(nowMs);
        }
    }

    private void HandleTimeoutLocked(long nowMs)
    {
        _firstTimeoutMs ??= nowMs;
        long setupTimeoutMs = (long)_options.SetupTimeout.TotalMilliseconds;
        if (_state != PeerState.Connected && nowMs - _firstTimeoutMs >= setupTimeoutMs)
        {
            Fail($"{(_iceLite is { IsConnected: false } ? "ICE" : "DTLS")} did not complete within {setupTimeoutMs / 1000.0:0.#} s");
            return;
        }
        if (_iceLite is not null && _iceLite.IsConnected && _iceLite.IsConsentExpired(nowMs))
        {
            Fail("consent expired: no connectivity check from the peer for 30 s", PeerState.Closed);
            return;
        }
        if (_iceControlling is not null)
        {
            Span<byte> buffer = stackalloc byte[MaxControlDatagram];
            while (_iceControlling.TryPollTransmit(nowMs, buffer, out int length))
            {
                Enqueue(buffer[..length], _options.RemoteCandidate!);
            }
            if (_iceControlling.HasFailed)
            {
                Fail("ICE failed: the server did not answer connectivity checks");
            }
        }
    }

    /// <summary>Next control datagram to send (ICE, DTLS), with its destination.</summary>
    public bool TryPollTransmit(Span<byte> destination, out int length, out IPEndPoint? to)
    {
        if (_control.TryDequeue(out var item))
        {
            item.Data.AsSpan(0, item.Length).CopyTo(destination);
            length = item.Length;
            to = item.To;
            return true;
        }
        var remote = RemoteEndPoint;
        if (remote is not null && _dtls.TryPollOutput(destination, out length))
        {
            to = remote;
            return true;
        }
        length = 0;
        to = null;
        return false;
    }

    /// <summary>Protects RTP in place; <paramref name="buffer"/> needs <see cref="SrtpContext.MaxOverhead"/> spare bytes.</summary>
    public bool TryProtectRtp(Span<byte> buffer, int length, out int protectedLength)
    {
        var srtp = _srtpOut;
        if (srtp is null)
        {
            protectedLength = 0;
            return false;
        }
        // Several threads may send on one connection (the room's mixer, NACK replies); SRTP state is per SSRC.
        lock (_sendLock)
        {
            return srtp.TryProtectRtp(buffer, length, out protectedLength);
        }
    }

    public bool TryProtectRtcp(Span<byte> buffer, int length, out int protectedLength)
    {
        var srtp = _srtpOut;
        if (srtp is null)
        {
            protectedLength = 0;
            return false;
        }
        lock (_sendLock)
        {
            return srtp.TryProtectRtcp(buffer, length, out protectedLength);
        }
    }

    /// <summary>
    /// Closes: close_notify goes out and the DTLS thread is told to end, without waiting for it
    /// (it is a background thread reading an aborted channel, and whatever it still raises finds
    /// the peer closed). A room closing with 25 participants, or a server stopping with hundreds,
    /// so never waits on one stuck handshake after another.
    /// </summary>
    public void Close() => CloseWithoutWaiting();

    /// <summary>
    /// Closes without waiting for the DTLS thread, which is returned (if there is one) for the
    /// caller to wait on: the transport stops every peer first and then waits once for all.
    /// </summary>
    internal Thread? CloseWithoutWaiting()
    {
        if (_state is not (PeerState.Closed or PeerState.Failed))
        {
            SetState(PeerState.Closed);
        }
        var thread = _dtls.Stop();
        lock (_iceLock)
        {
            // The agents hold keyed HMACs that another thread may be using right now.
            _iceDisposed = true;
            _iceLite?.Dispose();
            _iceControlling?.Dispose();
        }
        return thread;
    }

    public void Dispose() => Close();

    private bool IsIceConnected => _iceLite?.IsConnected ?? _iceControlling!.IsConnected;

    private PeerInput HandleStun(ReadOnlySpan<byte> datagram, IPEndPoint remote, long nowMs)
    {
        lock (_iceLock)
        {
            return _iceDisposed ? PeerInput.Dropped : HandleStunLocked(datagram, remote, nowMs);
        }
    }

    private PeerInput HandleStunLocked(ReadOnlySpan<byte> datagram, IPEndPoint remote, long nowMs)
    {
        if (_iceLite is not null)
        {
            Span<byte> response = stackalloc byte[MaxControlDatagram];
            var result = _iceLite.HandleStun(datagram, remote, nowMs, response, out int length);
            if (length > 0)
            {
                Enqueue(response[..length], remote);
            }
            if (_iceLite.IsConnected && _state == PeerState.New)
            {
                SetState(PeerState.Connecting);
                StartDtlsOnce();
            }
            // RFC 8445 §7.3: only a check that passed MESSAGE-INTEGRITY speaks for the peer; an error
            // answer (a 401 to a guessed ufrag) goes back to the sender but must not make it the peer.
            return result switch
            {
                IceInputResult.Responded or IceInputResult.Nominated => PeerInput.Control,
                IceInputResult.Dropped => PeerInput.Dropped,
                _ => PeerInput.Refused,
            };
        }
        bool wasConnected = _iceControlling!.IsConnected;
        _iceControlling.HandleStun(datagram, remote, nowMs);
        if (!wasConnected && _iceControlling.IsConnected)
        {
            StartDtlsOnce();
        }
        return PeerInput.Control;
    }

    private void StartDtlsOnce()
    {
        lock (_sendLock)
        {
            if (_dtlsStarted)
            {
                return;
            }
            _dtlsStarted = true;
        }
        _dtls.Start();
    }

    private void OnDtlsOutput() => TransmitReady?.Invoke();

    private void OnDtlsStateChanged(DtlsState state)
    {
        switch (state)
        {
            case DtlsState.Connected:
                var (local, remote) = SrtpKeys.CreateContexts(_dtls.SrtpProfile, _dtls.SrtpKeyingMaterial,
                    isDtlsServer: _options.DtlsRole == DtlsRole.Server);
                _srtpIn = remote;
                _srtpOut = local;
                SetState(PeerState.Connected);
                break;
            case DtlsState.Failed:
                Fail("DTLS failed: " + (_dtls.FailureReason ?? "unknown reason"));
                break;
            case DtlsState.Closed:
                if (_state is not (PeerState.Closed or PeerState.Failed))
                {
                    FailureReason = "the peer closed DTLS";
                    SetState(PeerState.Closed);
                }
                break;
        }
    }

    private void Fail(string reason, PeerState state = PeerState.Failed)
    {
        FailureReason = reason;
        SetState(state);
    }

    private void SetState(PeerState state)
    {
        lock (_stateLock)
        {
            // Closed and Failed are final: a handshake that completes while the connection closes must not revive it.
            if (_state == state || _state is PeerState.Closed or PeerState.Failed)
            {
                return;
            }
            _state = state;
        }
        StateChanged?.Invoke(state);
    }

    private void Enqueue(ReadOnlySpan<byte> data, IPEndPoint to) => _control.Enqueue((data.ToArray(), data.Length, to));

    private static ulong RandomTieBreaker()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }
}
