namespace Mcu.Rtc.Sdp;

/// <summary>
/// The a=fingerprint attribute (RFC 8122 §5): hash function name and the certificate hash as
/// upper-case hex byte pairs joined by ':', e.g. ("sha-256", "AB:CD:...").
/// </summary>
public sealed record SdpFingerprint(string Algorithm, string Value)
{
    internal static bool TryParse(string value, out SdpFingerprint? fingerprint)
    {
        fingerprint = null;
        int space = value.IndexOf(' ');
        if (space <= 0)
        {
            return false;
        }

        string hash = value[(space + 1)..].Trim();
        string[] pairs = hash.Split(':');
        if (pairs.Length == 0 || pairs.Any(p => p.Length != 2 || !p.All(char.IsAsciiHexDigit)))
        {
            return false;
        }

        fingerprint = new SdpFingerprint(value[..space], hash);
        return true;
    }

    public override string ToString() => $"{Algorithm} {Value}";
}
