namespace Mcu.Media.Compositing;

/// <summary>Colours (0xAARRGGBB) and sizes the compositor paints around and over the tiles.</summary>
public sealed record CompositorStyle(
    uint BackgroundArgb = 0xFF202020,
    uint BorderArgb = 0xFF000000,
    int BorderPixels = 2,
    uint SpeakerHighlightArgb = 0xFF2ECC71);
