using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Mcu.Rtc.Dtls;

/// <summary>
/// BC server policy for DTLS-SRTP: DTLS 1.2, ECDHE-ECDSA, extended master secret, use_srtp, and a
/// mandatory client certificate checked against the SDP fingerprint.
/// </summary>
internal sealed class DtlsSrtpServer : DefaultTlsServer
{
    private readonly BcTlsCrypto _crypto;
    private readonly DtlsSrtpNegotiation _negotiation;
    private int _selectedProfile;

    internal DtlsSrtpServer(BcTlsCrypto crypto, DtlsSrtpNegotiation negotiation)
        : base(crypto)
    {
        _crypto = crypto;
        _negotiation = negotiation;
    }

    public override bool IgnoreCorruptDtlsRecords => true;

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => DtlsSrtpNegotiation.SupportedCipherSuites(Crypto);

    public override bool RequiresExtendedMasterSecret() => true;

    public override int GetHandshakeTimeoutMillis() => _negotiation.HandshakeTimeoutMillis;

    public override int GetHandshakeResendTimeMillis() => _negotiation.HandshakeResendMillis;

    protected override TlsCredentialedSigner GetECDsaSignerCredentials() =>
        _negotiation.CreateSigner(m_context, _crypto);

    /// <summary>RFC 8827 §6.5: both sides must present a certificate.</summary>
    public override CertificateRequest GetCertificateRequest() =>
        new([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
            TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context), null);

    public override void NotifyClientCertificate(Certificate clientCertificate) =>
        _negotiation.VerifyPeerCertificate(clientCertificate);

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        _selectedProfile = _negotiation.SelectProfile(TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions));
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        IDictionary<int, byte[]> extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetServerExtensions());
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([_selectedProfile], TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        _negotiation.ExportKeyingMaterial(m_context);
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription) =>
        _negotiation.NotifyAlertReceived(alertLevel, alertDescription);
}
