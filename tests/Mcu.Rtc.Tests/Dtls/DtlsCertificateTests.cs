using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Mcu.Rtc.Dtls;
using Org.BouncyCastle.X509;

namespace Mcu.Rtc.Tests.Dtls;

public class DtlsCertificateTests
{
    [Fact]
    public void Generate_MakesSelfSignedEcdsaP256Certificate_ValidFromYesterdayFor30Days()
    {
        DtlsCertificate certificate = DtlsCertificate.Generate();
        var parsed = new X509Certificate(certificate.Der);

        Assert.Equal("SHA-256withECDSA", parsed.SigAlgName);
        Assert.Equal(parsed.IssuerDN, parsed.SubjectDN);
        parsed.Verify(parsed.GetPublicKey());
        var key = Assert.IsType<Org.BouncyCastle.Crypto.Parameters.ECPublicKeyParameters>(parsed.GetPublicKey());
        Assert.Equal(256, key.Parameters.Curve.FieldSize);
        Assert.Equal(DateTime.UtcNow.Date.AddDays(-1), parsed.NotBefore.ToUniversalTime());
        Assert.Equal(TimeSpan.FromDays(30), parsed.NotAfter - parsed.NotBefore);
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
        Assert.NotEqual(new X509Certificate(first.Der).SubjectDN, new X509Certificate(second.Der).SubjectDN);
    }
}
