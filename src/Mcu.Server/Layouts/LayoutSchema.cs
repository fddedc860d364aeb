using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Mcu.Conference.Layouts;

namespace Mcu.Server.Layouts;

/// <summary>
/// Checks a template against <c>layouts/layout.schema.json</c> and then against
/// <see cref="LayoutTemplate.Parse"/>'s own rules (which the schema cannot say, such as
/// a region staying inside the canvas). Either finds what is wrong, with where.
/// </summary>
public sealed class LayoutSchema
{
    public const string FileName = "layout.schema.json";

    private readonly JsonSchema _schema;

    public LayoutSchema(string schemaJson) => _schema = JsonSchema.FromText(schemaJson);

    /// <summary>The schema beside the templates, else the copy shipped beside the server.</summary>
    public static LayoutSchema Load(string layoutsFolder)
    {
        string path = Path.Combine(layoutsFolder, FileName);
        if (!File.Exists(path))
        {
            path = Path.Combine(AppContext.BaseDirectory, "layouts", FileName);
        }
        return new LayoutSchema(File.ReadAllText(path));
    }

    /// <summary>The template, or null and the list of problems ("/regions/0/x: ...").</summary>
    public LayoutTemplate? Validate(string json, out IReadOnlyList<string> errors)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            errors = [$"not JSON: {e.Message}"];
            return null;
        }
        var results = _schema.Evaluate(node, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!results.IsValid)
        {
            var found = (results.Details ?? [])
                .Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{Where(d.InstanceLocation.ToString())}: {e.Value}"))
                .Distinct()
                .ToList();
            errors = found.Count > 0 ? found : ["the template does not match layout.schema.json"];
            return null;
        }
        try
        {
            var template = LayoutTemplate.Parse(json);
            errors = [];
            return template;
        }
        catch (LayoutTemplateException e)
        {
            errors = [e.Message];
            return null;
        }
    }

    private static string Where(string pointer) => pointer.Length == 0 ? "/" : pointer;
}
