namespace Mcu.Server.Api;

/// <summary>The one rule for display names, wherever they come in (WHIP/WHEP ?name=, PATCH displayName).</summary>
public static class DisplayName
{
    public const int MaxLength = 64;

    /// <summary>What is wrong with <paramref name="name"/> (already trimmed by the caller or not), or null when it is fine.</summary>
    public static string? Problem(string field, string name)
    {
        string trimmed = name.Trim();
        if (trimmed.Length is 0 or > MaxLength)
        {
            return $"{field}: 1 to {MaxLength} characters";
        }
        // Names are shown in pages and written to logs: no control characters (newlines, escapes).
        return trimmed.Any(char.IsControl) ? $"{field}: no control characters" : null;
    }
}
