namespace Mcu.Server;

/// <summary><c>Mcu:Cors</c>: the origins (e.g. <c>https://app.example</c>) whose pages may call the whole API.</summary>
public sealed class CorsSettings
{
    /// <summary>Default none: only WHIP/WHEP answer cross-origin.</summary>
    public string[] Origins { get; set; } = [];
}
