using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mcu.Rtc.Interop;

namespace Mcu.Rtc.Dtls;

/// <summary>
/// A self-signed certificate for DTLS-SRTP. WebRTC does not use a PKI: the peer authenticates
/// this certificate only by its SHA-256 fingerprint, sent in the SDP (RFC 8122 §5, RFC 8827 §6.5).
/// Its OpenSSL context (one per certificate, shared by every session that presents it) is made
/// on first use.
/// </summary>
public sealed class DtlsCertificate
{
    private const int ValidityDays = 30;
    private const int Sha256Length = 32;

    private readonly byte[] _privateKeyPkcs8;
    private readonly Lazy<DtlsContextHandle> _context;

    private DtlsCertificate(byte[] der, byte[] privateKeyPkcs8)
    {
        Der = der;
        _privateKeyPkcs8 = privateKeyPkcs8;
        Sha256Fingerprint = ComputeSha256Fingerprint(der);
        _context = new Lazy<DtlsContextHandle>(CreateContext);
    }

    /// <summary>"AB:CD:..." — the value of the SDP a=fingerprint:sha-256 attribute.</summary>
    public string Sha256Fingerprint { get; }

    /// <summary>The certificate, DER encoded.</summary>
    internal byte[] Der { get; }

    /// <summary>The shim's SSL_CTX for this certificate.</summary>
    internal DtlsContextHandle Context => _context.Value;

    /// <summary>
    /// Generates an ECDSA P-256 key and a SHA256withECDSA self-signed certificate with a random CN,
    /// valid from yesterday (tolerates peers whose clock is behind) for 30 days.
    /// </summary>
    public static DtlsCertificate Generate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = new X500DistinguishedName("CN=" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)));
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        DateTimeOffset notBefore = new(DateTime.UtcNow.Date.AddDays(-1), TimeSpan.Zero);
        // A positive serial of at most 63 bits (RFC 5280 §4.1.2.2 allows up to 20 octets).
        byte[] serial = RandomNumberGenerator.GetBytes(8);
        serial[0] = (byte)(serial[0] & 0x7F | 0x01);
        using X509Certificate2 certificate = request.Create(name, X509SignatureGenerator.CreateForECDsa(key),
            notBefore, notBefore.AddDays(ValidityDays), serial);
        return new DtlsCertificate(certificate.RawData, key.ExportPkcs8PrivateKey());
    }

    /// <summary>SHA-256 over the DER certificate, as uppercase hex pairs joined by colons.</summary>
    internal static string ComputeSha256Fingerprint(ReadOnlySpan<byte> der)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(der, hash);
        return string.Join(':', Convert.ToHexString(hash).Chunk(2).Select(pair => new string(pair)));
    }

    /// <summary>
    /// Reads an SDP sha-256 fingerprint ("AB:CD:...", any case, RFC 8122 §5) into its 32 bytes;
    /// false for anything else.
    /// </summary>
    internal static bool TryParseSha256Fingerprint(string text, Span<byte> digest)
    {
        ReadOnlySpan<char> rest = text.AsSpan().Trim();
        if (digest.Length < Sha256Length || rest.Length != Sha256Length * 3 - 1)
        {
            return false;
        }
        for (int i = 0; i < Sha256Length; i++)
        {
            ReadOnlySpan<char> pair = rest.Slice(i * 3, 2);
            if ((i > 0 && rest[i * 3 - 1] != ':')
                || !byte.TryParse(pair, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out digest[i]))
            {
                return false;
            }
        }
        return true;
    }

    private DtlsContextHandle CreateContext()
    {
        int result = TlsNative.DtlsContextCreate(Der, Der.Length, _privateKeyPkcs8, _privateKeyPkcs8.Length,
            out DtlsContextHandle context);
        if (result != 0)
        {
            context.Dispose();
            throw new InvalidOperationException($"OpenSSL refused the DTLS certificate (mcu_tls error {result}).");
        }
        return context;
    }
}
