using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mcu.Conference.Layouts;

/// <summary>Which participants a region shows.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RegionSource>))]
public enum RegionSource
{
    [JsonStringEnumMemberName("everyone")] Everyone,
    [JsonStringEnumMemberName("speaker")] Speaker,
    [JsonStringEnumMemberName("others")] Others,
    [JsonStringEnumMemberName("participant")] Participant,

    /// <summary>A shared screen (a participant's second, video-only session); always fitted, never cropped.</summary>
    [JsonStringEnumMemberName("screen")] Screen,
}

[JsonConverter(typeof(JsonStringEnumConverter<RegionFit>))]
public enum RegionFit
{
    [JsonStringEnumMemberName("cover")] Cover,
    [JsonStringEnumMemberName("contain")] Contain,
}

public sealed record RegionGrid(int MaxRows = 1, int MaxColumns = 1);

/// <summary>One region of a template, in fractions of the canvas (see layouts/layout.schema.json).</summary>
public sealed record TemplateRegion(
    double X, double Y, double Width, double Height,
    int Z = 0,
    RegionFit Fit = RegionFit.Cover,
    RegionSource Source = RegionSource.Everyone,
    string? Participant = null,
    RegionGrid? Grid = null)
{
    /// <summary>How many participants the region can show.</summary>
    public int Capacity => Grid is null ? 1 : Grid.MaxRows * Grid.MaxColumns;
}

public sealed record ParticipantRange(int Min = 1, int Max = int.MaxValue);

public sealed record TemplateBorder(string? Color = null, int Width = 2);

/// <summary>A layout template: a JSON file in <c>layouts/</c>.</summary>
public sealed record LayoutTemplate(
    string Name,
    IReadOnlyList<TemplateRegion> Regions,
    string? Description = null,
    ParticipantRange? Participants = null,
    string? Background = null,
    TemplateBorder? Border = null,
    bool Labels = false)
{
    /// <summary>The reserved name that picks the template fitting the participant count.</summary>
    public const string Auto = "auto";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>How many people it shows: screen regions are not counted.</summary>
    public int Capacity => Regions.Where(r => r.Source != RegionSource.Screen).Sum(r => r.Capacity);

    /// <summary>A template made for presenting: it has a region for shared screens.</summary>
    public bool ShowsScreens => Regions.Any(r => r.Source == RegionSource.Screen);

    /// <summary>Parses and checks a template; the exception's message says what is wrong.</summary>
    public static LayoutTemplate Parse(string json)
    {
        LayoutTemplate? template;
        try
        {
            template = JsonSerializer.Deserialize<LayoutTemplate>(WithoutSchemaProperty(json), Json);
        }
        catch (JsonException e)
        {
            throw new LayoutTemplateException(e.Path is { Length: > 0 } path
                ? $"{path}: {FirstSentence(e.Message)}"
                : FirstSentence(e.Message));
        }
        if (template is null)
        {
            throw new LayoutTemplateException("the template is JSON null");
        }
        template.Validate();
        return template;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    private void Validate()
    {
        if (string.IsNullOrEmpty(Name) || Name.Length > 64 || Name == Auto
            || !Name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-') || Name[0] == '-')
        {
            throw new LayoutTemplateException($"name '{Name}' must be 1-64 of a-z, 0-9 and '-', and not '{Auto}'");
        }
        if (Regions is null || Regions.Count == 0)
        {
            throw new LayoutTemplateException("regions: at least one region is needed");
        }
        if (Regions.Count > 64)
        {
            throw new LayoutTemplateException("regions: at most 64");
        }
        for (int i = 0; i < Regions.Count; i++)
        {
            var r = Regions[i] ?? throw new LayoutTemplateException($"regions[{i}] is null");
            if (!InUnit(r.X) || !InUnit(r.Y) || r.Width <= 0 || r.Height <= 0
                || r.X + r.Width > 1 + 1e-9 || r.Y + r.Height > 1 + 1e-9)
            {
                throw new LayoutTemplateException(
                    $"regions[{i}]: x, y, width and height are fractions of the canvas and must stay inside it (x + width ≤ 1, y + height ≤ 1)");
            }
            if (r.Source == RegionSource.Participant && string.IsNullOrWhiteSpace(r.Participant))
            {
                throw new LayoutTemplateException($"regions[{i}]: source 'participant' needs 'participant'");
            }
            if (r.Grid is { } g && (g.MaxRows is < 1 or > 8 || g.MaxColumns is < 1 or > 8))
            {
                throw new LayoutTemplateException($"regions[{i}].grid: maxRows and maxColumns are 1 to 8");
            }
        }
        if (Participants is { } p && (p.Min < 1 || p.Max < p.Min))
        {
            throw new LayoutTemplateException("participants: need 1 ≤ min ≤ max");
        }
        if (Background is not null && !IsColor(Background))
        {
            throw new LayoutTemplateException("background: a colour is #rrggbb or #rrggbbaa");
        }
        if (Border is { } b && ((b.Color is not null && !IsColor(b.Color)) || b.Width is < 0 or > 32))
        {
            throw new LayoutTemplateException("border: colour #rrggbb, width 0 to 32");
        }
    }

    /// <summary>Parses "#rrggbb" or "#rrggbbaa" into ARGB.</summary>
    public static uint ParseColor(string color)
    {
        uint rgb = Convert.ToUInt32(color[1..7], 16);
        uint alpha = color.Length == 9 ? Convert.ToUInt32(color[7..9], 16) : 0xFF;
        return alpha << 24 | rgb;
    }

    private static bool IsColor(string s) =>
        s.Length is 7 or 9 && s[0] == '#' && s.AsSpan(1).ContainsAnyExcept("0123456789abcdefABCDEF") == false;

    private static bool InUnit(double v) => v is >= 0 and <= 1;

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }

    private static string WithoutSchemaProperty(string json)
    {
        // "$schema" points editors at layout.schema.json; it is not part of the template.
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("$schema", out _))
        {
            return json;
        }
        var copy = new Dictionary<string, JsonElement>();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name != "$schema")
            {
                copy[property.Name] = property.Value.Clone();
            }
        }
        return JsonSerializer.Serialize(copy);
    }
}

/// <summary>A template that cannot be used; the message says why.</summary>
public sealed class LayoutTemplateException(string message) : Exception(message);
