using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Mcu.Rtc.Dtls;

namespace Mcu.Rtc.Tests.Dtls;

public class DtlsCertificateTests
{
    [Fact]
    public void Generate_MakesSelfSignedEcdsaP256Certificate_ValidFromYesterdayFor30Days()
    {
        DtlsCertificate certificate = DtlsCertificate.Generate();
        using var parsed = X509CertificateLoader.LoadCertificate(certificate.Der);

        Assert.Equal("1.2.840.10045.4.3.2", parsed.SignatureAlgorithm.Value); // ecdsa-with-SHA256
        Assert.Equal(parsed.Issuer, parsed.Subject);
        using ECDsa? key = parsed.GetECDsaPublicKey();
        Assert.NotNull(key);
        Assert.Equal(256, key.KeySize);
        Assert.Equal(DateTime.UtcNow.Date.AddDays(-1), parsed.NotBefore.ToUniversalTime());
        Assert.Equal(TimeSpan.FromDays(30), parsed.NotAfter - parsed.NotBefore);
        // Self-signed: RFC 5280 §4.1's signature over tbsCertificate verifies with its own key.
        AsnReader certificateFields = new AsnReader(certificate.Der, AsnEncodingRules.DER).ReadSequence();
        ReadOnlyMemory<byte> tbsCertificate = certificateFields.ReadEncodedValue();
        certificateFields.ReadSequence(); // signatureAlgorithm
        byte[] signature = certificateFields.ReadBitString(out _);
        Assert.True(key.VerifyData(tbsCertificate.Span, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.True((parsed.SerialNumberBytes.Span[0] & 0x80) == 0, "a positive serial"); // big-endian
    }

    [Fact]
    public void Sha256Fingerprint_IsUppercaseColonSeparatedHashOfDer()
    {
        DtlsCertificate certificate = DtlsCertificate.Generate();

        Assert.Matches(new Regex("^([0-9A-F]{2}:){31}[0-9A-F]{2}$"), certificate.Sha256Fingerprint);
        string expected = Convert.ToHexString(SHA256.HashData(certificate.Der));
        Assert.Equal(expected, certificate.Sha256Fingerprint.Replace(":", ""));
    }

    [Fact]
    public void Generate_UsesFreshKeysAndNames()
    {
        DtlsCertificate first = DtlsCertificate.Generate();
        DtlsCertificate second = DtlsCertificate.Generate();

        Assert.NotEqual(first.Sha256Fingerprint, second.Sha256Fingerprint);
        using var a = X509CertificateLoader.LoadCertificate(first.Der);
        using var b = X509CertificateLoader.LoadCertificate(second.Der);
        Assert.NotEqual(a.Subject, b.Subject);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("AA", false)]
    [InlineData("00:11", false)]
    [InlineData("ZZ:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00", false)]
    [InlineData("0A-00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00", false)]
    [InlineData(" 0a:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:FF ", true)]
    public void Sha256Fingerprint_Parses_OnlyAs32HexPairs(string text, bool parses)
    {
        var digest = new byte[32];

        Assert.Equal(parses, DtlsCertificate.TryParseSha256Fingerprint(text, digest));
        if (parses)
        {
            Assert.Equal(0x0A, digest[0]);
            Assert.Equal(0xFF, digest[31]);
        }
    }

    [Fact]
    public void Sha256Fingerprint_RoundTrips()
    {
        DtlsCertificate certificate = DtlsCertificate.Generate();
        var digest = new byte[32];

        Assert.True(DtlsCertificate.TryParseSha256Fingerprint(certificate.Sha256Fingerprint, digest));
        Assert.Equal(SHA256.HashData(certificate.Der), digest);
    }
}
