using System.Net;
using System.Security.Cryptography;
using System.Text;
using Mcu.Rtc.Stun;

namespace Mcu.Rtc.Ice;

/// <summary>
/// The client side for our test client and load bots: a full ICE agent in the controlling role
/// (RFC 8445 §6.1.1: facing a lite peer it must control) with one known remote candidate, so
/// its checklist is a single pair. Sans-IO: the owner calls <see cref="TryPollTransmit"/> at
/// <see cref="NextTimeoutMs"/>, sends what it gets to the remote candidate, and hands every
/// received STUN datagram to <see cref="HandleStun"/>.
/// </summary>
/// <remarks>
/// Every request nominates (USE-CANDIDATE) and carries ICE-CONTROLLING, PRIORITY, USERNAME
/// "remoteUfrag:localUfrag", MESSAGE-INTEGRITY keyed with the remote password, and FINGERPRINT.
/// Until the first success the check is retransmitted every <see cref="CheckIntervalMs"/> with the
/// same transaction id (a LAN-fast pace, not RFC 8489's doubling RTO); after it, consent checks
/// (RFC 7675) go out every <see cref="ConsentIntervalMs"/> ± 20 %, each a new transaction.
/// </remarks>
public sealed class IceControllingAgent : IDisposable
{
    public const long CheckIntervalMs = 50;
    /// <summary>Transmissions of the first check before giving up (10 s at 50 ms).</summary>
    public const int MaxCheckTransmissions = 200;
    public const long ConsentIntervalMs = 2_500;
    /// <summary>Consent is lost after this long without an authenticated response (RFC 7675 §5.1).</summary>
    public const long ConsentTimeoutMs = 30_000;
    /// <summary>Buffer size that always fits a request from <see cref="TryPollTransmit"/>.</summary>
    public const int MaxRequestLength = 128;

    /// <summary>
    /// PRIORITY sent in checks: what a peer-reflexive candidate of component 1 would get
    /// (RFC 8445 §5.1.2.1, §7.1.1): type preference 110, local preference 65535.
    /// </summary>
    public const uint PeerReflexivePriority = (110u << 24) | (65535u << 8) | (256u - 1);

    private readonly byte[] _username;
    private readonly StunIntegrityKey _remoteKey;
    private readonly IPEndPoint _remoteCandidate;
    private readonly ulong _tieBreaker;
    private readonly byte[] _transactionId = new byte[StunMessage.TransactionIdLength];
    private bool _awaitingResponse;
    private int _checkTransmissions;
    private long _nextTransmitMs; // 0: the first check is due at once (times are non-negative)
    private long _lastResponseMs;

    public IceControllingAgent(IceCredentials local, IceCredentials remote, IPEndPoint remoteCandidate, ulong tieBreaker)
    {
        Local = local;
        Remote = remote;
        _remoteCandidate = new IPEndPoint(remoteCandidate.Address, remoteCandidate.Port);
        _tieBreaker = tieBreaker;
        _username = Encoding.UTF8.GetBytes(remote.Ufrag + ":" + local.Ufrag);
        _remoteKey = new StunIntegrityKey(Encoding.UTF8.GetBytes(remote.Password));
    }

    public IceCredentials Local { get; }
    public IceCredentials Remote { get; }
    public IPEndPoint RemoteCandidate => _remoteCandidate;

    /// <summary>True once a check got an authenticated success response, until consent is lost.</summary>
    public bool IsConnected { get; private set; }

    /// <summary>
    /// True when the first check went unanswered <see cref="MaxCheckTransmissions"/> times, consent
    /// lapsed (no response for <see cref="ConsentTimeoutMs"/>), or the peer answered with an
    /// authenticated error (e.g. 487: a lite peer cannot take the controlling role). Final.
    /// </summary>
    public bool HasFailed { get; private set; }

    /// <summary>When to call <see cref="TryPollTransmit"/> next; <see cref="long.MaxValue"/> once failed.</summary>
    public long NextTimeoutMs =>
        HasFailed ? long.MaxValue
        : IsConnected ? Math.Min(_nextTransmitMs, _lastResponseMs + ConsentTimeoutMs)
        : _nextTransmitMs;

    /// <summary>
    /// Writes the next request into <paramref name="destination"/> (at least
    /// <see cref="MaxRequestLength"/> bytes) if one is due at <paramref name="nowMs"/>.
    /// </summary>
    public bool TryPollTransmit(long nowMs, Span<byte> destination, out int length)
    {
        length = 0;
        if (HasFailed)
        {
            return false;
        }
        if (IsConnected ? nowMs - _lastResponseMs >= ConsentTimeoutMs : _checkTransmissions >= MaxCheckTransmissions && nowMs >= _nextTransmitMs)
        {
            Fail();
            return false;
        }
        if (nowMs < _nextTransmitMs)
        {
            return false;
        }
        if (IsConnected)
        {
            // RFC 7675 §5.1: each consent check is a new transaction, at a randomised interval.
            RandomNumberGenerator.Fill(_transactionId);
            _nextTransmitMs = nowMs + (long)(ConsentIntervalMs * (0.8 + 0.4 * Random.Shared.NextDouble()));
        }
        else
        {
            // Retransmissions reuse the transaction id (RFC 8489 §6.2.1).
            if (_checkTransmissions == 0)
            {
                RandomNumberGenerator.Fill(_transactionId);
            }
            _checkTransmissions++;
            _nextTransmitMs = nowMs + CheckIntervalMs;
        }
        _awaitingResponse = true;

        var writer = new StunMessageWriter(destination, StunMethod.Binding, StunClass.Request, _transactionId);
        writer.WriteUsername(_username);
        writer.WritePriority(PeerReflexivePriority);
        writer.WriteIceControlling(_tieBreaker);
        writer.WriteUseCandidate();
        writer.WriteMessageIntegrity(_remoteKey);
        writer.WriteFingerprint();
        length = writer.Length;
        return true;
    }

    /// <summary>
    /// Handles a STUN datagram. Only a response from the remote candidate to the outstanding
    /// transaction that verifies with the remote password counts (RFC 8445 §7.2.5); unsigned
    /// error responses (400, 401) are ignored since anyone on the path could forge them.
    /// </summary>
    public void HandleStun(ReadOnlySpan<byte> datagram, IPEndPoint remote, long nowMs)
    {
        if (HasFailed
            || !_awaitingResponse
            || !remote.Equals(_remoteCandidate)
            || !StunMessage.TryParse(datagram, out StunMessage response)
            || response.Method != StunMethod.Binding
            || response.Class is not (StunClass.SuccessResponse or StunClass.ErrorResponse)
            || !response.TransactionId.SequenceEqual(_transactionId)
            || (response.HasFingerprint && !response.VerifyFingerprint())
            || !response.VerifyMessageIntegrity(_remoteKey))
        {
            return;
        }
        _awaitingResponse = false;
        if (response.Class == StunClass.ErrorResponse)
        {
            Fail();
            return;
        }
        _lastResponseMs = nowMs;
        if (!IsConnected)
        {
            IsConnected = true;
            _nextTransmitMs = nowMs + ConsentIntervalMs;
        }
    }

    public void Dispose() => _remoteKey.Dispose();

    private void Fail()
    {
        HasFailed = true;
        IsConnected = false;
        _awaitingResponse = false;
    }
}
