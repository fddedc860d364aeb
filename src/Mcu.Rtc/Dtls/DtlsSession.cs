using System.Diagnostics.CodeAnalysis;
using Mcu.Rtc.Interop;
using Mcu.Rtc.Srtp;

namespace Mcu.Rtc.Dtls;

/// <summary>
/// One DTLS-SRTP association (RFC 5764), sans-IO: datagrams and the time go in
/// (<see cref="HandleInput"/>, <see cref="HandleTimeout"/>); datagrams
/// (<see cref="TryPollOutput"/>), events (<see cref="TryPollEvent"/>) and the next timeout
/// (<see cref="NextTimeoutMs"/>) come out. No thread, no clock of its own.
/// </summary>
/// <remarks>
/// <para>The handshake is OpenSSL's (through the mcu_tls shim, memory BIOs). OpenSSL's
/// retransmission timer reads the real clock, so the shim switches it off and this class owns
/// retransmission (RFC 6347 §4.2.4): the datagrams written in answer to one input (or at start,
/// for a client) are the flight, sent again verbatim on a doubling timer until the peer's next
/// flight makes us write something new.</para>
/// <para>Verbatim copies keep their record sequence numbers, so a peer that has them drops
/// them as replays. That matters for a client resending its last flight because the server's
/// final flight (ChangeCipherSpec, Finished) was lost: OpenSSL's server drops those copies and
/// never answers. So a server resends its final flight on the same timer until the owner says
/// the peer has proven its keys (<see cref="PeerProvedKeys"/>: its first SRTP or SRTCP that
/// authenticates), at most <see cref="DtlsSessionOptions.MaxFinalFlightResends"/> times.
/// Browsers resend with fresh sequence numbers, which OpenSSL answers itself.</para>
/// <para>Every call takes the session's own lock; none waits on anything but OpenSSL.</para>
/// </remarks>
public sealed class DtlsSession : IDisposable
{
    private const int Sha256Length = 32;

    private readonly Lock _lock = new();
    private readonly DtlsRole _role;
    private readonly DtlsSessionOptions _options;
    private readonly DtlsHandle _handle;
    private readonly DtlsFlight _flight;
    private readonly Queue<byte[]> _outbox = new();
    private readonly Queue<DtlsEvent> _events = new();
    private readonly List<byte[]> _written = [];
    private volatile DtlsState _state = DtlsState.New;
    private long _handshakeDeadlineMs = long.MaxValue;
    private bool _peerProvedKeys;
    private string? _failureReason;

    public DtlsSession(DtlsRole role, DtlsCertificate local, string remoteSha256Fingerprint)
        : this(role, local, remoteSha256Fingerprint, DtlsSessionOptions.Default)
    {
    }

    internal DtlsSession(DtlsRole role, DtlsCertificate local, string remoteSha256Fingerprint, DtlsSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remoteSha256Fingerprint);
        _role = role;
        _options = options;
        _flight = new DtlsFlight(options.InitialResendMs, options.MaxResendMs);
        // A fingerprint that does not parse matches no certificate: the shim refuses every peer.
        Span<byte> expected = stackalloc byte[Sha256Length];
        int expectedLength = DtlsCertificate.TryParseSha256Fingerprint(remoteSha256Fingerprint, expected) ? Sha256Length : 0;
        int result = TlsNative.DtlsCreate(local.Context, role == DtlsRole.Server ? 1 : 0,
            TlsNative.Utf8Z(ProfileList(options.SrtpProfiles)), expected, expectedLength, options.Mtu, out _handle);
        if (result != 0)
        {
            _handle.Dispose();
            throw new InvalidOperationException($"OpenSSL could not make a DTLS session (mcu_tls error {result}).");
        }
    }

    public DtlsState State => _state;

    /// <summary>Why the session is <see cref="DtlsState.Failed"/>; null otherwise.</summary>
    public string? FailureReason
    {
        get
        {
            lock (_lock)
            {
                return _failureReason;
            }
        }
    }

    /// <summary>When <see cref="HandleTimeout"/> has work (a resend, the handshake deadline); <see cref="long.MaxValue"/> for never.</summary>
    public long NextTimeoutMs
    {
        get
        {
            lock (_lock)
            {
                return _state == DtlsState.Handshaking
                    ? Math.Min(_flight.ResendAtMs, _handshakeDeadlineMs)
                    : _flight.ResendAtMs;
            }
        }
    }

    /// <summary>Starts the handshake at <paramref name="nowMs"/>; a client's first flight (ClientHello) is then waiting. Only the first call counts.</summary>
    public void Start(long nowMs)
    {
        lock (_lock)
        {
            if (_state != DtlsState.New)
            {
                return;
            }
            _state = DtlsState.Handshaking;
            _handshakeDeadlineMs = nowMs + _options.HandshakeTimeoutMs;
            if (_role == DtlsRole.Client)
            {
                Drive([], nowMs);
            }
        }
    }

    /// <summary>
    /// A datagram from the peer (first byte 20-63, RFC 7983). False if it was dropped: not whole
    /// DTLS records a peer could send (<see cref="DtlsRecord.IsPlausible"/>), or the session is
    /// not started or is over.
    /// </summary>
    public bool HandleInput(ReadOnlySpan<byte> datagram, long nowMs)
    {
        // RFC 6347 §4.1.2.7: invalid records are dropped; these cost OpenSSL nothing (see IsPlausible).
        if (!DtlsRecord.IsPlausible(datagram))
        {
            return false;
        }
        lock (_lock)
        {
            if (_state is not (DtlsState.Handshaking or DtlsState.Connected))
            {
                return false;
            }
            Drive(datagram, nowMs);
            return true;
        }
    }

    /// <summary>Resends the last flight if it is due and fails a handshake past its deadline.</summary>
    public void HandleTimeout(long nowMs)
    {
        lock (_lock)
        {
            if (_state == DtlsState.Handshaking && nowMs >= _handshakeDeadlineMs)
            {
                Fail("DTLS handshake timed out");
                return;
            }
            if (_state is not (DtlsState.Handshaking or DtlsState.Connected) || !_flight.TryResend(nowMs))
            {
                return;
            }
            foreach (byte[] datagram in _flight.Datagrams)
            {
                _outbox.Enqueue(datagram);
            }
            if (_state == DtlsState.Connected && _flight.Resends >= _options.MaxFinalFlightResends)
            {
                _flight.Stop();
            }
        }
    }

    /// <summary>
    /// The owner saw the peer use the keys (an SRTP or SRTCP packet that authenticated): it has
    /// our final flight, which need not go out again.
    /// </summary>
    public void PeerProvedKeys()
    {
        lock (_lock)
        {
            _peerProvedKeys = true;
            if (_state == DtlsState.Connected)
            {
                _flight.Stop();
            }
        }
    }

    /// <summary>Copies the next datagram to send into <paramref name="destination"/> (at least the MTU); false when there is none.</summary>
    public bool TryPollOutput(Span<byte> destination, out int length)
    {
        lock (_lock)
        {
            if (!_outbox.TryPeek(out byte[]? datagram))
            {
                length = 0;
                return false;
            }
            if (datagram.Length > destination.Length)
            {
                throw new ArgumentException(
                    $"Destination holds {destination.Length} bytes; the next DTLS datagram needs {datagram.Length}.",
                    nameof(destination));
            }
            _outbox.Dequeue();
            datagram.CopyTo(destination);
            length = datagram.Length;
            return true;
        }
    }

    /// <summary>The next event (connected, closed, failed); each is handed out once.</summary>
    public bool TryPollEvent([NotNullWhen(true)] out DtlsEvent? dtlsEvent)
    {
        lock (_lock)
        {
            return _events.TryDequeue(out dtlsEvent);
        }
    }

    /// <summary>
    /// Closes: close_notify waits in <see cref="TryPollOutput"/> if the session was connected,
    /// and OpenSSL's state is freed. No event is raised: the owner asked.
    /// </summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_handle.IsClosed)
            {
                return;
            }
            TlsNative.DtlsClose(_handle);
            TakeOutput();
            foreach (byte[] datagram in _written)
            {
                _outbox.Enqueue(datagram);
            }
            _flight.Stop();
            if (_state != DtlsState.Failed)
            {
                _state = DtlsState.Closed;
            }
            _handle.Dispose();
        }
    }

    public void Dispose() => Close();

    /// <summary>Runs OpenSSL over one datagram (none, to start a client) and turns what it did into output and events.</summary>
    private void Drive(ReadOnlySpan<byte> datagram, long nowMs)
    {
        int state = TlsNative.DtlsHandleDatagram(_handle, datagram, datagram.Length);
        TakeOutput();
        foreach (byte[] written in _written)
        {
            _outbox.Enqueue(written);
        }
        switch (state)
        {
            case TlsNative.Handshaking when _written.Count > 0:
                _flight.Replace(_written, nowMs);
                break;
            case TlsNative.Connected when _state == DtlsState.Handshaking:
                OnHandshakeComplete(nowMs);
                break;
            case TlsNative.Closed:
                _flight.Stop();
                _state = DtlsState.Closed;
                _events.Enqueue(new DtlsEvent.Closed());
                break;
            case TlsNative.Failed:
                var (kind, text) = TlsNative.Failure(_handle);
                Fail(kind switch
                {
                    TlsNative.FailureFingerprint => "remote certificate fingerprint does not match the SDP",
                    TlsNative.FailureAlertReceived => $"peer sent fatal alert {text}",
                    TlsNative.FailureAlertSent => $"sent fatal alert {text}",
                    _ => text,
                });
                break;
        }
    }

    private void OnHandshakeComplete(long nowMs)
    {
        int profile = TlsNative.DtlsSrtpProfile(_handle);
        if (profile == 0 || Array.IndexOf(_options.SrtpProfiles, (SrtpProfile)profile) < 0)
        {
            // OpenSSL completes a handshake without use_srtp; without it there are no SRTP keys.
            Fail(_role == DtlsRole.Server ? "no common SRTP protection profile" : "peer did not negotiate use_srtp");
            return;
        }
        var keyingMaterial = new byte[SrtpKeys.KeyingMaterialLength((SrtpProfile)profile)];
        if (TlsNative.DtlsExportSrtpKeys(_handle, keyingMaterial, keyingMaterial.Length) != 0)
        {
            Fail("could not export the SRTP keying material");
            return;
        }
        // The server's final flight is what a client waits for; a client's is answered already.
        if (_role == DtlsRole.Server && _written.Count > 0 && !_peerProvedKeys)
        {
            _flight.Replace(_written, nowMs);
        }
        else
        {
            _flight.Stop();
        }
        _state = DtlsState.Connected;
        _events.Enqueue(new DtlsEvent.Connected((SrtpProfile)profile, keyingMaterial));
    }

    private void Fail(string reason)
    {
        _flight.Stop();
        _failureReason = reason;
        _state = DtlsState.Failed;
        _events.Enqueue(new DtlsEvent.Failed(reason));
    }

    /// <summary>Moves what OpenSSL wrote into <see cref="_written"/>, packed into datagrams.</summary>
    private void TakeOutput()
    {
        _written.Clear();
        int size = TlsNative.DtlsOutputSize(_handle);
        if (size <= 0)
        {
            return;
        }
        var records = new byte[size];
        int taken = TlsNative.DtlsTakeOutput(_handle, records, records.Length);
        DtlsRecord.Pack(records.AsSpan(0, Math.Max(taken, 0)), _options.Mtu, _written);
    }

    /// <summary>OpenSSL's names for our profiles, in preference order ("SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80").</summary>
    private static string ProfileList(SrtpProfile[] profiles) => string.Join(':', profiles.Select(profile => profile switch
    {
        SrtpProfile.AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
        SrtpProfile.Aes128CmHmacSha1_80 => "SRTP_AES128_CM_SHA1_80",
        _ => throw new ArgumentOutOfRangeException(nameof(profiles), profile, "no OpenSSL name for this SRTP profile"),
    }));
}
