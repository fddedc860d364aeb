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
/// sockets, threads or clocks. Datagrams (<see cref="HandleDatagram"/>) and timeouts
/// (<see cref="HandleTimeout"/>, due at <see cref="NextTimeoutMs"/>) go in with the time;
/// control datagrams (ICE, DTLS) come out of <see cref="TryPollTransmit"/> after either call;
/// media is unprotected in place by <see cref="HandleDatagram"/> and protected in place by
/// <see cref="TryProtectRtp"/>. Calls may come from several threads (the receive loop, the
/// timer, senders): each part has its own small lock, none held across another's.
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
    private readonly ConcurrentQueue<(byte[] Data, int Length, TransportAddress To)> _control = new();
    private readonly TransportAddress? _serverCandidate;
    private readonly Lock _sendLock = new();
    private readonly Lock _iceLock = new();
    private readonly Lock _stateLock = new();
    private bool _iceDisposed;
    private SrtpContext? _srtpIn;
    private SrtpContext? _srtpOut;
    private SrtpProfile _srtpProfile;
    private volatile PeerState _state = PeerState.New;
    private volatile bool _peerProvedKeys;
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
            _serverCandidate = new TransportAddress(options.RemoteCandidateProtocol, candidate);
            _state = PeerState.Connecting;
        }
        _dtls = new DtlsSession(options.DtlsRole, options.Certificate, options.RemoteFingerprint);
    }

    /// <summary>Raised when <see cref="State"/> changes, on the thread whose call changed it.</summary>
    public event Action<PeerState>? StateChanged;

    public PeerState State => _state;

    public string? FailureReason { get; private set; }

    public string LocalUfrag => _options.LocalIce.Ufrag;

    /// <summary>Client role: the server's candidate, known before any datagram arrives.</summary>
    public TransportAddress? RemoteCandidate => _serverCandidate;

    /// <summary>Where media goes: the transport address ICE nominated (UDP or TCP). A new object whenever it moves.</summary>
    public TransportAddress? RemoteAddress => _iceLite?.SelectedAddress ?? (_iceControlling is { IsConnected: true } ? _serverCandidate : null);

    /// <summary>The IP and port of <see cref="RemoteAddress"/>.</summary>
    public IPEndPoint? RemoteEndPoint => RemoteAddress?.EndPoint;

    public SrtpProfile? SrtpProfile => _srtpOut is null ? null : _srtpProfile;

    /// <summary>
    /// When <see cref="HandleTimeout"/> next has work: a connectivity or consent check, a DTLS
    /// resend, a deadline. <see cref="long.MaxValue"/> once closed; 0 before the first call.
    /// </summary>
    public long NextTimeoutMs
    {
        get
        {
            if (_state is PeerState.Closed or PeerState.Failed)
            {
                return long.MaxValue;
            }
            long next = _dtls.NextTimeoutMs;
            lock (_iceLock)
            {
                if (_iceDisposed)
                {
                    return long.MaxValue;
                }
                if (_firstTimeoutMs is not { } first)
                {
                    return 0;
                }
                if (_state != PeerState.Connected)
                {
                    next = Math.Min(next, first + (long)_options.SetupTimeout.TotalMilliseconds);
                }
                next = Math.Min(next, _iceLite?.ConsentExpiresAtMs ?? _iceControlling!.NextTimeoutMs);
            }
            return next;
        }
    }

    /// <summary>
    /// Handles one datagram (or one RFC 4571 frame of a TCP connection) from <paramref name="remote"/>.
    /// For <see cref="PeerInput.Rtp"/> and <see cref="PeerInput.Rtcp"/> the plaintext is <c>datagram[..plainLength]</c>.
    /// </summary>
    public PeerInput HandleDatagram(Span<byte> datagram, TransportAddress remote, long nowMs, out int plainLength)
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
            bool accepted = _dtls.HandleInput(datagram, nowMs);
            HandleDtlsEvents();
            return accepted ? PeerInput.Control : PeerInput.Dropped;
        }
        if (first is >= RtpMin and <= RtpMax)
        {
            var srtp = _srtpIn;
            if (srtp is null)
            {
                return PeerInput.Dropped;
            }
            var input = RtpDemux.IsRtcp(datagram)
                ? srtp.TryUnprotectRtcp(datagram, out plainLength) ? PeerInput.Rtcp : PeerInput.Dropped
                : srtp.TryUnprotectRtp(datagram, out plainLength) ? PeerInput.Rtp : PeerInput.Dropped;
            if (input != PeerInput.Dropped && !_peerProvedKeys)
            {
                // Only a peer that finished the handshake has these keys: our final flight arrived.
                _peerProvedKeys = true;
                _dtls.PeerProvedKeys();
            }
            return input;
        }
        return PeerInput.Dropped;
    }

    /// <summary>
    /// Drives the timers: client connectivity checks, consent freshness, DTLS resends, set-up
    /// timeout. Call it at <see cref="NextTimeoutMs"/> (calling more often is harmless).
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
        _dtls.HandleTimeout(nowMs);
        HandleDtlsEvents();
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
                Enqueue(buffer[..length], _serverCandidate!);
            }
            if (_iceControlling.HasFailed)
            {
                Fail("ICE failed: the server did not answer connectivity checks");
            }
        }
    }

    /// <summary>Next control datagram to send (ICE, DTLS), with its destination and the protocol to send it on.</summary>
    public bool TryPollTransmit(Span<byte> destination, out int length, out TransportAddress? to)
    {
        if (_control.TryDequeue(out var item))
        {
            item.Data.AsSpan(0, item.Length).CopyTo(destination);
            length = item.Length;
            to = item.To;
            return true;
        }
        var remote = RemoteAddress;
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
    /// Closes: close_notify (if DTLS was connected) waits in <see cref="TryPollTransmit"/>, and
    /// the DTLS and ICE state is freed. Safe to call twice.
    /// </summary>
    public void Close()
    {
        if (_state is not (PeerState.Closed or PeerState.Failed))
        {
            SetState(PeerState.Closed);
        }
        _dtls.Close();
        lock (_iceLock)
        {
            // The agents hold keyed HMACs that another thread may be using right now.
            _iceDisposed = true;
            _iceLite?.Dispose();
            _iceControlling?.Dispose();
        }
    }

    public void Dispose() => Close();

    private bool IsIceConnected => _iceLite?.IsConnected ?? _iceControlling!.IsConnected;

    private PeerInput HandleStun(ReadOnlySpan<byte> datagram, TransportAddress remote, long nowMs)
    {
        PeerInput input;
        bool iceConnected;
        lock (_iceLock)
        {
            if (_iceDisposed)
            {
                return PeerInput.Dropped;
            }
            bool wasConnected = IsIceConnected;
            input = HandleStunLocked(datagram, remote, nowMs);
            iceConnected = !wasConnected && IsIceConnected;
        }
        if (iceConnected)
        {
            // Outside the ICE lock: a client's first flight is OpenSSL work.
            _dtls.Start(nowMs);
            HandleDtlsEvents();
        }
        return input;
    }

    private PeerInput HandleStunLocked(ReadOnlySpan<byte> datagram, TransportAddress remote, long nowMs)
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
        if (remote.Protocol != _serverCandidate!.Protocol)
        {
            return PeerInput.Dropped;
        }
        _iceControlling!.HandleStun(datagram, remote.EndPoint, nowMs);
        return PeerInput.Control;
    }

    /// <summary>Acts on what DTLS reported; each event reaches exactly one caller, whichever thread polls it.</summary>
    private void HandleDtlsEvents()
    {
        while (_dtls.TryPollEvent(out var dtlsEvent))
        {
            switch (dtlsEvent)
            {
                case DtlsEvent.Connected connected:
                    var (local, remote) = SrtpKeys.CreateContexts(connected.Profile, connected.KeyingMaterial,
                        isDtlsServer: _options.DtlsRole == DtlsRole.Server);
                    _srtpProfile = connected.Profile;
                    _srtpIn = remote;
                    _srtpOut = local;
                    SetState(PeerState.Connected);
                    break;
                case DtlsEvent.Failed failed:
                    Fail("DTLS failed: " + failed.Reason);
                    break;
                case DtlsEvent.Closed when _state is not (PeerState.Closed or PeerState.Failed):
                    FailureReason = "the peer closed DTLS";
                    SetState(PeerState.Closed);
                    break;
            }
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

    private void Enqueue(ReadOnlySpan<byte> data, TransportAddress to) => _control.Enqueue((data.ToArray(), data.Length, to));

    private static ulong RandomTieBreaker()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }
}
