namespace Mcu.Rtc.Sdp;

/// <summary>Media direction attributes (RFC 8866 §6.7); absent means sendrecv.</summary>
public enum SdpDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

internal static class SdpDirectionText
{
    public static string ToAttributeName(this SdpDirection direction) => direction switch
    {
        SdpDirection.SendRecv => "sendrecv",
        SdpDirection.SendOnly => "sendonly",
        SdpDirection.RecvOnly => "recvonly",
        _ => "inactive",
    };

    public static SdpDirection? FromAttributeName(string name) => name switch
    {
        "sendrecv" => SdpDirection.SendRecv,
        "sendonly" => SdpDirection.SendOnly,
        "recvonly" => SdpDirection.RecvOnly,
        "inactive" => SdpDirection.Inactive,
        _ => null,
    };

    public static bool Sends(this SdpDirection d) => d is SdpDirection.SendRecv or SdpDirection.SendOnly;

    public static bool Receives(this SdpDirection d) => d is SdpDirection.SendRecv or SdpDirection.RecvOnly;

    public static SdpDirection From(bool send, bool receive) => (send, receive) switch
    {
        (true, true) => SdpDirection.SendRecv,
        (true, false) => SdpDirection.SendOnly,
        (false, true) => SdpDirection.RecvOnly,
        _ => SdpDirection.Inactive,
    };
}
