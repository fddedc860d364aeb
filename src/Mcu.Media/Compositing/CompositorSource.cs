using Mcu.Media.Frames;

namespace Mcu.Media.Compositing;

/// <summary>
/// What one tile shows on this tick. The compositor only reads <see cref="Frame"/> during
/// <see cref="Compositor.Compose"/>; it neither keeps nor releases it.
/// </summary>
public sealed class CompositorSource
{
    public string DisplayName { get; set; } = "";

    /// <summary>The newest picture of the participant, or null to show a placeholder with the name.</summary>
    public VideoFrame? Frame { get; set; }

    public bool IsActiveSpeaker { get; set; }
}
