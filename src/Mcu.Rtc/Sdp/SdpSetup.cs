namespace Mcu.Rtc.Sdp;

/// <summary>
/// The a=setup attribute (RFC 4145 §4, RFC 5763 §5): which side starts the DTLS handshake.
/// Active is the DTLS client, Passive the DTLS server.
/// </summary>
public enum SdpSetup
{
    ActPass,
    Active,
    Passive,
    HoldConn,
}

internal static class SdpSetupText
{
    public static string ToAttributeValue(this SdpSetup setup) => setup switch
    {
        SdpSetup.ActPass => "actpass",
        SdpSetup.Active => "active",
        SdpSetup.Passive => "passive",
        _ => "holdconn",
    };

    public static SdpSetup? FromAttributeValue(string value) => value.ToLowerInvariant() switch
    {
        "actpass" => SdpSetup.ActPass,
        "active" => SdpSetup.Active,
        "passive" => SdpSetup.Passive,
        "holdconn" => SdpSetup.HoldConn,
        _ => null,
    };
}
