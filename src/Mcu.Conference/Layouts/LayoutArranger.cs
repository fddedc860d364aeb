namespace Mcu.Conference.Layouts;

/// <summary>A participant's place on the canvas, in fractions.</summary>
public sealed record PlacedTile(string ParticipantId, double X, double Y, double Width, double Height, int Z, RegionFit Fit);

/// <summary>Who is in the room, in join order, as the arranger sees them; a shared screen is a member too.</summary>
public readonly record struct LayoutMember(string Id, string DisplayName, bool IsScreen = false);

/// <summary>
/// Turns a template and the people in a room into tiles: regions are filled in
/// document order, the speaker region takes the speaker (pinned, else active, else
/// the first to join), "others" and "everyone" take whoever is not placed yet in join
/// order, a grid region splits itself into as many cells as it gets people, and each
/// participant appears at most once. Who does not fit is left out. Shared screens go
/// only into "screen" regions, people never; a template without a screen region shows
/// screens as people. A screen is always fitted whole (contain), never cropped.
/// </summary>
public static class LayoutArranger
{
    public static List<PlacedTile> Arrange(LayoutTemplate template, IReadOnlyList<LayoutMember> members, string? speakerId)
    {
        var tiles = new List<PlacedTile>(members.Count);
        if (members.Count == 0)
        {
            return tiles;
        }
        bool screensApart = template.ShowsScreens;
        bool Person(LayoutMember m) => !m.IsScreen || !screensApart;
        // A screen is never the speaker, even where it is shown as a person.
        string? speaker = speakerId is not null && members.Any(m => m.Id == speakerId && !m.IsScreen)
            ? speakerId
            : members.FirstOrDefault(m => !m.IsScreen).Id;
        var placed = new HashSet<string>();
        var picked = new List<string>();
        foreach (var region in template.Regions)
        {
            picked.Clear();
            switch (region.Source)
            {
                case RegionSource.Speaker:
                    if (speaker is not null && placed.Add(speaker))
                    {
                        picked.Add(speaker);
                    }
                    break;
                case RegionSource.Participant:
                    foreach (var m in members)
                    {
                        if (Person(m) && (m.Id == region.Participant || m.DisplayName == region.Participant) && placed.Add(m.Id))
                        {
                            picked.Add(m.Id);
                            break;
                        }
                    }
                    break;
                case RegionSource.Screen:
                    foreach (var m in members)
                    {
                        if (picked.Count < region.Capacity && m.IsScreen && placed.Add(m.Id))
                        {
                            picked.Add(m.Id);
                        }
                    }
                    break;
                default:
                    foreach (var m in members)
                    {
                        if (picked.Count == region.Capacity)
                        {
                            break;
                        }
                        bool allowed = Person(m) && (region.Source == RegionSource.Everyone || m.Id != speaker);
                        if (allowed && placed.Add(m.Id))
                        {
                            picked.Add(m.Id);
                        }
                    }
                    break;
            }
            PlaceInRegion(region, picked, tiles);
        }
        // Whatever the region says, a screen is shown whole: text cropped away is lost.
        for (int i = 0; i < tiles.Count; i++)
        {
            if (tiles[i].Fit != RegionFit.Contain && members.Any(m => m.IsScreen && m.Id == tiles[i].ParticipantId))
            {
                tiles[i] = tiles[i] with { Fit = RegionFit.Contain };
            }
        }
        return tiles;
    }

    private static void PlaceInRegion(TemplateRegion region, List<string> ids, List<PlacedTile> tiles)
    {
        if (ids.Count == 0)
        {
            return;
        }
        if (region.Grid is null || ids.Count == 1)
        {
            tiles.Add(new PlacedTile(ids[0], region.X, region.Y, region.Width, region.Height, region.Z, region.Fit));
            return;
        }
        var (rows, columns) = GridShape(ids.Count, region.Grid);
        // Canvases are 16:9, so a 16:9 cell is as wide as it is high in fractions: cells
        // are kept at most that wide or high, rather than stretched to fill the region.
        double cellWidth = region.Width / columns, cellHeight = region.Height / rows;
        cellWidth = Math.Min(cellWidth, cellHeight);
        cellHeight = Math.Min(cellHeight, cellWidth);
        double top = region.Y + (region.Height - rows * cellHeight) / 2;
        for (int i = 0; i < ids.Count; i++)
        {
            int row = i / columns, column = i % columns;
            // A short last row is centred.
            int inRow = row == rows - 1 ? ids.Count - row * columns : columns;
            double left = region.X + (region.Width - inRow * cellWidth) / 2;
            tiles.Add(new PlacedTile(ids[i], left + column * cellWidth, top + row * cellHeight, cellWidth, cellHeight, region.Z, region.Fit));
        }
    }

    /// <summary>The squarest grid for <paramref name="count"/> cells within the limits, preferring columns (the canvas is wide).</summary>
    public static (int Rows, int Columns) GridShape(int count, RegionGrid limits)
    {
        int columns = Math.Min(limits.MaxColumns, (int)Math.Ceiling(Math.Sqrt(count)));
        int rows = Math.Min(limits.MaxRows, (int)Math.Ceiling(count / (double)columns));
        while (rows * columns < count && columns < limits.MaxColumns)
        {
            columns++;
        }
        return (rows, columns);
    }
}
