namespace Mcu.Rtc.Sdp;

/// <summary>
/// A line other than v=, o=, s=, m= and a= (i=, u=, e=, p=, c=, b=, t=, r=, z=, k=), kept
/// verbatim so a description round-trips. <see cref="Type"/> is the letter before '='.
/// </summary>
public sealed record SdpField(char Type, string Value)
{
    public override string ToString() => $"{Type}={Value}";
}
