using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Mcu.Rtc.Dtls;

/// <summary>
/// BC client policy for DTLS-SRTP (used by our own test client): offers our SRTP profiles, checks
/// the server certificate against the SDP fingerprint and always answers a CertificateRequest.
/// </summary>
internal sealed class DtlsSrtpClient : DefaultTlsClient
{
    private readonly BcTlsCrypto _crypto;
    private readonly DtlsSrtpNegotiation _negotiation;

    internal DtlsSrtpClient(BcTlsCrypto crypto, DtlsSrtpNegotiation negotiation)
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

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        IDictionary<int, byte[]> extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, _negotiation.Offer());
        return extensions;
    }

    public override void ProcessServerExtensions(IDictionary<int, byte[]> serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);
        _negotiation.AcceptServerChoice(
            serverExtensions is null ? null : TlsSrtpUtilities.GetUseSrtpExtension(serverExtensions));
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        _negotiation.ExportKeyingMaterial(m_context);
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription) =>
        _negotiation.NotifyAlertReceived(alertLevel, alertDescription);

    private sealed class Authentication(DtlsSrtpClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) =>
            client._negotiation.VerifyPeerCertificate(serverCertificate.Certificate);

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) =>
            client._negotiation.CreateSigner(client.m_context, client._crypto);
    }
}
