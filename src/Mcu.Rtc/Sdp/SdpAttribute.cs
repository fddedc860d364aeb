namespace Mcu.Rtc.Sdp;

/// <summary>
/// One <c>a=</c> line (RFC 8866 §5.13): <c>a=name</c> (a flag, <see cref="Value"/> null) or
/// <c>a=name:value</c>. Attributes we do not understand are kept as they are and written back.
/// </summary>
public sealed record SdpAttribute(string Name, string? Value)
{
    public override string ToString() => Value is null ? Name : $"{Name}:{Value}";
}
