using System.Collections.Concurrent;

namespace Mcu.Conference.Layouts;

/// <summary>
/// The templates in a folder (<c>layouts/</c>). A file that does not parse is listed in
/// <see cref="Errors"/> and skipped: a broken file never stops the server or a room.
/// Saving writes a temporary file and renames it over the old one, so a reader never
/// sees half a template.
/// </summary>
public sealed class LayoutTemplateStore
{
    private readonly string _folder;
    private readonly ConcurrentDictionary<string, LayoutTemplate> _templates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(int People, bool Sharing), LayoutTemplate?> _autoCache = new();

    public LayoutTemplateStore(string folder)
    {
        _folder = Path.GetFullPath(folder);
        Reload();
    }

    public string Folder => _folder;

    public IReadOnlyCollection<LayoutTemplate> Templates => _templates.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();

    /// <summary>File name → why it was skipped.</summary>
    public IReadOnlyDictionary<string, string> Errors => _errors;

    public void Reload()
    {
        _autoCache.Clear();
        _templates.Clear();
        _errors.Clear();
        if (!Directory.Exists(_folder))
        {
            return;
        }
        foreach (var path in Directory.EnumerateFiles(_folder, "*.json"))
        {
            string file = Path.GetFileName(path);
            if (file.EndsWith(".schema.json", StringComparison.Ordinal))
            {
                continue;
            }
            try
            {
                var template = LayoutTemplate.Parse(File.ReadAllText(path));
                if (template.Name + ".json" != file)
                {
                    throw new LayoutTemplateException($"the name '{template.Name}' does not match the file name");
                }
                _templates[template.Name] = template;
            }
            catch (Exception e) when (e is LayoutTemplateException or IOException or UnauthorizedAccessException)
            {
                _errors[file] = e.Message;
            }
        }
    }

    public bool TryGet(string name, out LayoutTemplate template) => _templates.TryGetValue(name, out template!);

    /// <summary>
    /// The template called <paramref name="name"/>, or for <c>auto</c> the one made for
    /// <paramref name="participants"/> people (the smallest that holds them all): while someone
    /// shares a screen (<paramref name="sharing"/>), among the templates with a screen region
    /// (e.g. <c>presentation</c>), otherwise among the others.
    /// </summary>
    public LayoutTemplate? Resolve(string name, int participants, bool sharing = false)
    {
        if (name != LayoutTemplate.Auto)
        {
            return _templates.GetValueOrDefault(name);
        }
        // The rooms' video clocks ask this every tick: answer from a cache, emptied on every change.
        var key = (Math.Max(1, participants), sharing);
        if (_autoCache.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var candidates = _templates.Values.Where(t => t.Participants is not null && t.ShowsScreens == sharing).ToList();
        if (sharing && candidates.Count == 0)
        {
            candidates = _templates.Values.Where(t => t.Participants is not null).ToList(); // no presentation template: screens as people
        }
        var resolved = ResolveAuto(candidates, key.Item1 + (sharing && !candidates.Any(t => t.ShowsScreens) ? 1 : 0));
        _autoCache[key] = resolved;
        return resolved;
    }

    private static LayoutTemplate? ResolveAuto(List<LayoutTemplate> candidates, int count)
    {
        return candidates
                   .Where(t => t.Participants!.Min <= count && count <= t.Participants.Max)
                   .OrderBy(t => t.Capacity).ThenBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault()
               ?? candidates.Where(t => t.Capacity >= count)
                   .OrderBy(t => t.Capacity).ThenBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault()
               ?? candidates.OrderByDescending(t => t.Capacity).FirstOrDefault();
    }

    /// <summary>Validates and saves a template (atomically), replacing one of the same name.</summary>
    public LayoutTemplate Save(string json)
    {
        var template = LayoutTemplate.Parse(json);
        Directory.CreateDirectory(_folder);
        string path = Path.Combine(_folder, template.Name + ".json");
        string temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(temporary, json);
        File.Move(temporary, path, overwrite: true);
        _templates[template.Name] = template;
        _autoCache.Clear();
        _errors.TryRemove(template.Name + ".json", out _);
        return template;
    }

    public bool Delete(string name)
    {
        if (!_templates.TryRemove(name, out _))
        {
            return false;
        }
        _autoCache.Clear();
        File.Delete(Path.Combine(_folder, name + ".json"));
        return true;
    }
}
