using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Mcu.Rtc.Dtls;

/// <summary>
/// A self-signed certificate for DTLS-SRTP. WebRTC does not use a PKI: the peer authenticates
/// this certificate only by its SHA-256 fingerprint, sent in the SDP (RFC 8122 §5, RFC 8827 §6.5).
/// </summary>
public sealed class DtlsCertificate
{
    private const int ValidityDays = 30;

    private DtlsCertificate(byte[] der, AsymmetricKeyParameter privateKey)
    {
        Der = der;
        PrivateKey = privateKey;
        Sha256Fingerprint = ComputeSha256Fingerprint(der);
    }

    /// <summary>"AB:CD:..." — the value of the SDP a=fingerprint:sha-256 attribute.</summary>
    public string Sha256Fingerprint { get; }

    /// <summary>The certificate, DER encoded.</summary>
    internal byte[] Der { get; }

    internal AsymmetricKeyParameter PrivateKey { get; }

    /// <summary>
    /// Generates an ECDSA P-256 key and a SHA256withECDSA self-signed certificate with a random CN,
    /// valid from yesterday (tolerates peers whose clock is behind) for 30 days.
    /// </summary>
    public static DtlsCertificate Generate()
    {
        var random = new SecureRandom();
        var keyGenerator = new ECKeyPairGenerator();
        keyGenerator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
        AsymmetricCipherKeyPair keys = keyGenerator.GenerateKeyPair();

        var name = new X509Name("CN=" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)));
        DateTime notBefore = DateTime.UtcNow.Date.AddDays(-1);

        var generator = new X509V3CertificateGenerator();
        // A positive serial of at most 63 bits (RFC 5280 §4.1.2.2 allows up to 20 octets).
        generator.SetSerialNumber(new BigInteger(63, random).Add(BigInteger.One));
        generator.SetIssuerDN(name);
        generator.SetSubjectDN(name);
        generator.SetNotBefore(notBefore);
        generator.SetNotAfter(notBefore.AddDays(ValidityDays));
        generator.SetPublicKey(keys.Public);
        X509Certificate certificate = generator.Generate(
            new Asn1SignatureFactory("SHA256WITHECDSA", keys.Private, random));

        return new DtlsCertificate(certificate.GetEncoded(), keys.Private);
    }

    /// <summary>SHA-256 over the DER certificate, as uppercase hex pairs joined by colons.</summary>
    internal static string ComputeSha256Fingerprint(ReadOnlySpan<byte> der)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(der, hash);
        return string.Join(':', Convert.ToHexString(hash).Chunk(2).Select(pair => new string(pair)));
    }
}
