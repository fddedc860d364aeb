using SkiaSharp;

namespace Mcu.Media.Compositing;

/// <summary>
/// Draws what Skia does better than plane copies: anti-aliased text and strokes. Everything drawn here
/// is cached by the compositor per tile geometry, so Skia runs only when a name, size or role changes.
/// </summary>
internal static class TileArtist
{
    // Muted backgrounds that keep white initials readable; a participant keeps their colour across tiles.
    private static readonly uint[] Palette =
    [
        0xFF5B6ABF, 0xFF8E5BBF, 0xFFBF5B8C, 0xFFBF6E5B, 0xFF9A8A3C, 0xFF4E9A5B, 0xFF3C8A9A, 0xFF6B7A8A,
    ];

    private static readonly Lazy<SKTypeface> Typeface = new(ResolveTypeface);

    public static TileImage RenderPlaceholder(string name, int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(PlaceholderColour(name)));
            float radius = Math.Min(width, height) * 0.3f;
            using var circle = new SKPaint { IsAntialias = true, Color = new SKColor(0x33FFFFFF) };
            canvas.DrawCircle(width / 2f, height / 2f, radius, circle);

            using var font = new SKFont(Typeface.Value, radius * 0.9f);
            using var text = new SKPaint { IsAntialias = true, Color = SKColors.White };
            string initials = Initials(name);
            font.MeasureText(initials, out var bounds);
            canvas.DrawText(initials, width / 2f - bounds.MidX, height / 2f - bounds.MidY, SKTextAlign.Left, font, text);
        }

        return TileImage.FromRgba(bitmap.GetPixelSpan(), width, height);
    }

    /// <summary>The name label at the bottom left and, for the active speaker, a highlight frame.</summary>
    public static TileOverlay RenderOverlay(string name, int width, int height, bool activeSpeaker, CompositorStyle style)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Transparent);
            if (name.Length > 0)
            {
                DrawLabel(canvas, name, width, height);
            }

            if (activeSpeaker)
            {
                // Even width and offset so the stroke covers whole 2x2 chroma blocks rather than diluting into them.
                float stroke = 2 * MathF.Round(Math.Max(4f, Math.Min(width, height) / 60f) / 2);
                using var frame = new SKPaint
                {
                    IsAntialias = true,
                    Style = SKPaintStyle.Stroke,
                    StrokeWidth = stroke,
                    Color = new SKColor(style.SpeakerHighlightArgb),
                };
                float inset = (style.BorderPixels + 1 & ~1) + stroke / 2;
                canvas.DrawRoundRect(new SKRect(inset, inset, width - inset, height - inset), stroke, stroke, frame);
            }
        }

        return TileOverlay.FromPremultipliedRgba(bitmap.GetPixelSpan(), width, height);
    }

    public static uint PlaceholderColour(string name)
    {
        // FNV-1a: stable across processes, unlike string.GetHashCode.
        uint hash = 2166136261;
        foreach (char c in name)
        {
            hash = (hash ^ c) * 16777619;
        }

        return Palette[hash % (uint)Palette.Length];
    }

    internal static string Initials(string name)
    {
        var parts = name.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length switch
        {
            0 => "?",
            1 => parts[0][..1].ToUpperInvariant(),
            _ => string.Concat(parts[0][..1], parts[^1][..1]).ToUpperInvariant(),
        };
    }

    private static void DrawLabel(SKCanvas canvas, string name, int width, int height)
    {
        float size = Math.Clamp(height / 14f, 9f, 28f);
        using var font = new SKFont(Typeface.Value, size);
        float pad = size * 0.4f;
        float maxText = width - 4 * pad;
        if (maxText <= size)
        {
            return;
        }

        string shown = name;
        while (shown.Length > 1 && font.MeasureText(shown) > maxText)
        {
            shown = shown[..^1];
        }

        float textWidth = font.MeasureText(shown);
        var box = new SKRect(pad, height - pad - size - 2 * pad, pad + textWidth + 2 * pad, height - pad);
        using var back = new SKPaint { IsAntialias = true, Color = new SKColor(0x99000000) };
        canvas.DrawRoundRect(box, pad, pad, back);
        using var text = new SKPaint { IsAntialias = true, Color = SKColors.White };
        canvas.DrawText(shown, box.Left + pad, box.Bottom - pad - font.Metrics.Descent * 0.5f, SKTextAlign.Left, font, text);
    }

    /// <summary>
    /// The Linux "NoDependencies" Skia build may have no system font manager, in which case the default
    /// typeface has no glyphs; fall back to a font file from the usual system folder.
    /// </summary>
    private static SKTypeface ResolveTypeface()
    {
        var candidate = SKFontManager.Default.MatchFamily("DejaVu Sans") ?? SKTypeface.Default;
        if (HasLatinGlyphs(candidate))
        {
            return candidate;
        }

        foreach (string folder in new[] { "/usr/share/fonts", "/usr/local/share/fonts" })
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (string file in Directory.EnumerateFiles(folder, "*.ttf", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var typeface = SKTypeface.FromFile(file);
                if (typeface is not null && HasLatinGlyphs(typeface))
                {
                    return typeface;
                }
            }
        }

        return candidate;
    }

    private static bool HasLatinGlyphs(SKTypeface typeface)
    {
        using var font = new SKFont(typeface);
        return font.GetGlyph('A') != 0;
    }
}
