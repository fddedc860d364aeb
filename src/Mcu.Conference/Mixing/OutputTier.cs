namespace Mcu.Conference.Mixing;

/// <summary>
/// A size and bitrate of the composited video. Participants on one tier (and layout and
/// codec) share one encoder; a weak client gets a lower tier.
/// </summary>
public sealed record OutputTier(string Name, int Width, int Height, int BitrateKbps)
{
    public static readonly OutputTier High = new("high", 1280, 720, 1500);
    public static readonly OutputTier Medium = new("medium", 640, 360, 600);
    public static readonly OutputTier Low = new("low", 320, 180, 150);

    /// <summary>Best first.</summary>
    public static readonly IReadOnlyList<OutputTier> All = [High, Medium, Low];

    public static OutputTier? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    public OutputTier? Lower => All.SkipWhile(t => t != this).Skip(1).FirstOrDefault();

    public OutputTier? Higher => All.TakeWhile(t => t != this).LastOrDefault();
}
