using System.Net;
using System.Text;
using Mcu.Rtc.Stun;

namespace Mcu.Rtc.Ice;

/// <summary>
/// The server side of ICE as an ICE-lite agent (RFC 8445 §2.5): it only answers the peer's
/// connectivity checks, is always the controlled agent, and keeps the pair the controlling peer
/// nominates. Sans-IO: the owner hands in each STUN datagram with its source address and the
/// time, and sends the response it gets back to that same address.
/// </summary>
/// <remarks>
/// Request handling, in order:
/// <list type="bullet">
/// <item>Not a parseable Binding request, or a FINGERPRINT that does not match: dropped.</item>
/// <item>No USERNAME or no MESSAGE-INTEGRITY: 400, unsigned (RFC 8489 §9.1.3).</item>
/// <item>USERNAME other than "localUfrag:remoteUfrag": dropped. §9.1.3 would answer 401, but here
///   a foreign ufrag means the datagram belongs to another session (the owner demultiplexes by
///   ufrag), and answering strangers only helps scanners.</item>
/// <item>MESSAGE-INTEGRITY not verifying with the local password: 401, unsigned (§9.1.3), so a
///   peer with a stale password learns why.</item>
/// <item>ICE-CONTROLLED present: both sides think they are controlled. A lite agent can never
///   take the controlling role, so whatever the tie-breakers it answers 487 (RFC 8445 §7.3.1.1).</item>
/// <item>No PRIORITY (required by RFC 8445 §7.1.1): 400, signed.</item>
/// <item>Otherwise a success response with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT.</item>
/// </list>
/// </remarks>
public sealed class IceLiteAgent : IDisposable
{
    /// <summary>Consent is lost after this long without a valid check (RFC 7675 §5.1).</summary>
    public const long ConsentTimeoutMs = 30_000;

    /// <summary>A response buffer of this size always fits what <see cref="HandleStun"/> writes.</summary>
    public const int MaxResponseLength = 96;

    private readonly byte[] _expectedUsername;
    private readonly StunIntegrityKey _localKey;
    private TransportAddress? _selected;
    private bool _nominated;
    private long _lastSelectedCheckMs;

    public IceLiteAgent(IceCredentials local, IceCredentials remote)
    {
        Local = local;
        Remote = remote;
        _expectedUsername = Encoding.UTF8.GetBytes(local.Ufrag + ":" + remote.Ufrag);
        _localKey = new StunIntegrityKey(Encoding.UTF8.GetBytes(local.Password));
    }

    public IceCredentials Local { get; }
    public IceCredentials Remote { get; }

    /// <summary>The address nominated with USE-CANDIDATE, or the first validated one until then.</summary>
    public IPEndPoint? SelectedRemote => _selected?.EndPoint;

    /// <summary><see cref="SelectedRemote"/> with its protocol: the path media takes. Replaced, never changed, when it moves.</summary>
    public TransportAddress? SelectedAddress => _selected;

    /// <summary>True once the controlling peer has nominated a pair.</summary>
    public bool IsConnected => _nominated;

    /// <summary>
    /// RFC 7675: true when connected and no valid check came from the selected address for
    /// <see cref="ConsentTimeoutMs"/>; the owner should then stop sending and close the session.
    /// </summary>
    public bool IsConsentExpired(long nowMs) => _nominated && nowMs - _lastSelectedCheckMs >= ConsentTimeoutMs;

    /// <summary>When consent expires unless a check comes first; <see cref="long.MaxValue"/> before nomination.</summary>
    public long ConsentExpiresAtMs => _nominated ? _lastSelectedCheckMs + ConsentTimeoutMs : long.MaxValue;

    /// <summary>
    /// Handles one STUN datagram from <paramref name="remote"/> over UDP. Writes the response, if any, into
    /// <paramref name="response"/> (at least <see cref="MaxResponseLength"/> bytes) and sets
    /// <paramref name="responseLength"/> (0 when nothing is to be sent). Allocates only when the
    /// selected address changes.
    /// </summary>
    public IceInputResult HandleStun(
        ReadOnlySpan<byte> datagram, IPEndPoint remote, long nowMs, Span<byte> response, out int responseLength) =>
        HandleStun(datagram, remote, TransportProtocol.Udp, nowMs, response, out responseLength);

    /// <summary>As the UDP overload, for a check that came over <paramref name="remote"/>'s protocol (a framed TCP connection).</summary>
    public IceInputResult HandleStun(
        ReadOnlySpan<byte> datagram, TransportAddress remote, long nowMs, Span<byte> response, out int responseLength) =>
        HandleStun(datagram, remote.EndPoint, remote.Protocol, nowMs, response, out responseLength);

    private IceInputResult HandleStun(ReadOnlySpan<byte> datagram, IPEndPoint remote, TransportProtocol protocol,
        long nowMs, Span<byte> response, out int responseLength)
    {
        responseLength = 0;
        if (!StunMessage.TryParse(datagram, out StunMessage request)
            || request.Method != StunMethod.Binding
            || request.Class != StunClass.Request
            || (request.HasFingerprint && !request.VerifyFingerprint()))
        {
            return IceInputResult.Dropped;
        }
        if (!request.TryGetUsername(out ReadOnlySpan<byte> username) || !request.HasMessageIntegrity)
        {
            responseLength = WriteError(request, StunErrorCode.BadRequest, "Bad Request", sign: false, response);
            return IceInputResult.BadRequest;
        }
        if (!username.SequenceEqual(_expectedUsername))
        {
            return IceInputResult.Dropped;
        }
        if (!request.VerifyMessageIntegrity(_localKey))
        {
            responseLength = WriteError(request, StunErrorCode.Unauthorized, "Unauthorized", sign: false, response);
            return IceInputResult.Unauthorized;
        }
        if (request.TryGetIceControlled(out _))
        {
            responseLength = WriteError(request, StunErrorCode.RoleConflict, "Role Conflict", sign: true, response);
            return IceInputResult.RoleConflict;
        }
        if (!request.TryGetPriority(out _))
        {
            responseLength = WriteError(request, StunErrorCode.BadRequest, "Bad Request", sign: true, response);
            return IceInputResult.BadRequest;
        }

        var writer = new StunMessageWriter(response, StunMethod.Binding, StunClass.SuccessResponse, request.TransactionId);
        writer.WriteXorMappedAddress(remote);
        writer.WriteMessageIntegrity(_localKey);
        writer.WriteFingerprint();
        responseLength = writer.Length;
        return Accept(request.HasUseCandidate, remote, protocol, nowMs);
    }

    /// <summary>
    /// The local part of a request's USERNAME ("local:remote" from the receiver's view), so the
    /// owner can find the session for a datagram from an address it does not know yet. The span
    /// points into <paramref name="stunDatagram"/>. Nothing is verified here.
    /// </summary>
    public static bool TryReadLocalUfrag(ReadOnlySpan<byte> stunDatagram, out ReadOnlySpan<byte> localUfrag)
    {
        localUfrag = default;
        if (!StunMessage.TryParse(stunDatagram, out StunMessage message) || !message.TryGetUsername(out ReadOnlySpan<byte> username))
        {
            return false;
        }
        int colon = username.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }
        localUfrag = username[..colon];
        return true;
    }

    public void Dispose() => _localKey.Dispose();

    private IceInputResult Accept(bool useCandidate, IPEndPoint remote, TransportProtocol protocol, long nowMs)
    {
        if (useCandidate && (!_nominated || !_selected!.Is(protocol, remote)))
        {
            _selected = Copy(protocol, remote);
            _nominated = true;
            _lastSelectedCheckMs = nowMs;
            return IceInputResult.Nominated;
        }
        _selected ??= Copy(protocol, remote);
        // Consent is per pair: checks arriving from other addresses (or protocols) do not refresh the selected one.
        if (_selected.Is(protocol, remote))
        {
            _lastSelectedCheckMs = nowMs;
        }
        return IceInputResult.Responded;
    }

    // The caller may reuse its IPEndPoint for the next receive; keep our own.
    private static TransportAddress Copy(TransportProtocol protocol, IPEndPoint endPoint) => new(protocol, new IPEndPoint(endPoint.Address, endPoint.Port));

    private int WriteError(StunMessage request, int code, string reason, bool sign, Span<byte> response)
    {
        var writer = new StunMessageWriter(response, StunMethod.Binding, StunClass.ErrorResponse, request.TransactionId);
        writer.WriteErrorCode(code, reason);
        if (sign)
        {
            writer.WriteMessageIntegrity(_localKey);
        }
        writer.WriteFingerprint();
        return writer.Length;
    }
}
