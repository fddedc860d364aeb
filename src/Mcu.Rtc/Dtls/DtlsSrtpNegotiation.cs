using Mcu.Rtc.Srtp;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Mcu.Rtc.Dtls;

/// <summary>
/// The DTLS-SRTP rules shared by our BC server and client: which suites and SRTP profiles we
/// accept, how the peer certificate is checked against the SDP fingerprint, and what the
/// handshake produced. Written on the handshake thread, read by <see cref="DtlsSession"/>.
/// </summary>
internal sealed class DtlsSrtpNegotiation
{
    /// <summary>
    /// ECDHE with our ECDSA certificate only (RFC 8827 §6.5 requires forward secrecy; browsers
    /// offer these). AEAD first; CBC-SHA256 for older stacks.
    /// </summary>
    private static readonly int[] CipherSuites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ];

    private readonly DtlsCertificate _local;
    private readonly DtlsSessionOptions _options;

    /// <summary>Our use_srtp profiles in preference order; SrtpProfile values are the IANA ids.</summary>
    private readonly int[] _profiles;
    private readonly string _expectedFingerprint;
    private volatile string? _failureReason;

    internal DtlsSrtpNegotiation(DtlsCertificate local, string expectedFingerprint, DtlsSessionOptions options)
    {
        _local = local;
        _expectedFingerprint = expectedFingerprint.Trim();
        _options = options;
        _profiles = Array.ConvertAll(options.SrtpProfiles, profile => (int)profile);
    }

    internal int HandshakeTimeoutMillis => _options.HandshakeTimeoutMillis;

    internal int HandshakeResendMillis => _options.HandshakeResendMillis;

    /// <summary>The first reason we rejected the handshake for, if any.</summary>
    internal string? FailureReason => _failureReason;

    internal SrtpProfile Profile { get; private set; }

    /// <summary>Set once the handshake completed; null before.</summary>
    internal byte[]? KeyingMaterial { get; private set; }

    internal bool CloseNotifyReceived { get; private set; }

    internal static int[] SupportedCipherSuites(TlsCrypto crypto) => TlsUtilities.GetSupportedCipherSuites(crypto, CipherSuites);

    internal UseSrtpData Offer() => new((int[])_profiles.Clone(), TlsUtilities.EmptyBytes);

    internal Certificate CreateTlsCertificate(TlsCrypto crypto) =>
        new([crypto.CreateCertificate(_local.Der)]);

    internal TlsCredentialedSigner CreateSigner(TlsContext context, BcTlsCrypto crypto) =>
        new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, _local.PrivateKey,
            CreateTlsCertificate(crypto), new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));

    /// <summary>
    /// RFC 8827 §6.5: the peer's certificate is accepted only if its fingerprint matches the one
    /// signalled in the SDP. BC verifies that the peer holds the matching private key.
    /// </summary>
    internal void VerifyPeerCertificate(Certificate chain)
    {
        if (chain.IsEmpty)
        {
            throw Reject(AlertDescription.certificate_required, "peer sent no certificate");
        }

        string actual = DtlsCertificate.ComputeSha256Fingerprint(chain.GetCertificateAt(0).GetEncoded());
        if (!string.Equals(actual, _expectedFingerprint, StringComparison.OrdinalIgnoreCase))
        {
            throw Reject(AlertDescription.bad_certificate,
                "remote certificate fingerprint does not match the SDP");
        }
    }

    /// <summary>Server: picks the first profile in the client's list that we support (RFC 5764 §4.1.1).</summary>
    internal int SelectProfile(UseSrtpData? offer)
    {
        if (offer is null)
        {
            throw Reject(AlertDescription.handshake_failure, "peer did not offer use_srtp");
        }

        foreach (int candidate in offer.ProtectionProfiles)
        {
            if (Array.IndexOf(_profiles, candidate) >= 0)
            {
                Profile = (SrtpProfile)candidate;
                return candidate;
            }
        }

        throw Reject(AlertDescription.handshake_failure, "no common SRTP protection profile");
    }

    /// <summary>Client: the server must answer with exactly one of the profiles we offered.</summary>
    internal void AcceptServerChoice(UseSrtpData? answer)
    {
        if (answer is null)
        {
            throw Reject(AlertDescription.handshake_failure, "peer did not negotiate use_srtp");
        }

        if (answer.ProtectionProfiles.Length != 1 || Array.IndexOf(_profiles, answer.ProtectionProfiles[0]) < 0)
        {
            throw Reject(AlertDescription.illegal_parameter, "peer chose an SRTP protection profile we did not offer");
        }

        Profile = (SrtpProfile)answer.ProtectionProfiles[0];
    }

    /// <summary>RFC 5764 §4.2: keys and salts for both directions from the TLS exporter.</summary>
    internal void ExportKeyingMaterial(TlsContext context)
    {
        KeyingMaterial = context.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, KeyingMaterialLength(Profile));
    }

    /// <summary>2 * (master key + master salt): client key, server key, client salt, server salt.</summary>
    internal static int KeyingMaterialLength(SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => 2 * (16 + 14),
        SrtpProfile.AeadAes128Gcm => 2 * (16 + 12),
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "no SRTP profile negotiated"),
    };

    internal void NotifyAlertReceived(short alertLevel, short alertDescription)
    {
        if (alertDescription == AlertDescription.close_notify)
        {
            CloseNotifyReceived = true;
        }
        else if (alertLevel == AlertLevel.fatal)
        {
            RecordFailure($"peer sent fatal alert {AlertDescription.GetName(alertDescription)}");
        }
    }

    private TlsFatalAlert Reject(short alertDescription, string reason)
    {
        RecordFailure(reason);
        return new TlsFatalAlert(alertDescription, reason);
    }

    private void RecordFailure(string reason) => Interlocked.CompareExchange(ref _failureReason, reason, null);
}
