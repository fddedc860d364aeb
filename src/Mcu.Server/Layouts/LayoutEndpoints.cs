using Mcu.Conference.Layouts;
using Mcu.Conference.Rooms;
using Mcu.Server.Api;
using Mcu.Server.Auth;

namespace Mcu.Server.Layouts;

/// <summary>/api/layouts: the templates in <c>layouts/</c>, the files skipped as broken, and editing them.</summary>
public static class LayoutEndpoints
{
    public sealed record LayoutList(IReadOnlyCollection<LayoutTemplate> Templates, IReadOnlyList<LayoutFileError> Errors);

    public sealed record LayoutFileError(string File, string Error);

    public sealed record ValidationResult(bool Valid, string Name, int Capacity);

    public static void MapLayoutEndpoints(this IEndpointRouteBuilder app)
    {
        var layouts = app.MapGroup("/api/layouts").WithTags("Layouts");

        layouts.MapGet("/", (LayoutTemplateStore store) => new LayoutList(store.Templates,
            store.Errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new LayoutFileError(e.Key, e.Value)).ToList()));

        // The file as saved, so that GET, edit, PUT round-trips through the schema.
        layouts.MapGet("/{name}", async (string name, LayoutTemplateStore store, CancellationToken ct) =>
        {
            if (!store.TryGet(name, out var template))
            {
                return NoTemplate(name);
            }
            try
            {
                return Results.Text(await File.ReadAllTextAsync(Path.Combine(store.Folder, name + ".json"), ct), "application/json");
            }
            catch (IOException)
            {
                return Results.Text(template.ToJson(), "application/json");
            }
        }).Produces<LayoutTemplate>();

        layouts.MapPost("/validate", async (HttpRequest request, LayoutSchema schema, CancellationToken ct) =>
        {
            var (text, problem) = await JsonBody.ReadTextAsync(request, ct);
            if (problem is not null)
            {
                return problem;
            }
            var template = schema.Validate(text!, out var errors);
            return template is null ? Invalid(errors) : Results.Ok(new ValidationResult(true, template.Name, template.Capacity));
        }).Accepts<LayoutTemplate>("application/json").Produces<ValidationResult>();

        layouts.MapPut("/{name}", async (string name, HttpRequest request, LayoutSchema schema, LayoutTemplateStore store,
            ILogger<LayoutSchema> logger, CancellationToken ct) =>
        {
            var (text, problem) = await JsonBody.ReadTextAsync(request, ct);
            if (problem is not null)
            {
                return problem;
            }
            var template = schema.Validate(text!, out var errors);
            if (template is null)
            {
                return Invalid(errors);
            }
            if (template.Name != name)
            {
                return Invalid([$"name: the template says '{template.Name}' but the URL says '{name}'"]);
            }
            bool existed = store.TryGet(name, out _);
            store.Save(text!);
            Log.TemplateSaved(logger, name);
            return existed ? Results.Ok(template) : Results.Created($"/api/layouts/{name}", template);
        }).Accepts<LayoutTemplate>("application/json").Produces<LayoutTemplate>().RequireAdmin();

        layouts.MapDelete("/{name}", (string name, LayoutTemplateStore store, RoomDirectory rooms, ILogger<LayoutSchema> logger) =>
        {
            if (!store.TryGet(name, out _))
            {
                return NoTemplate(name);
            }
            if (rooms.Rooms.FirstOrDefault(r => r.Layout == name) is { } inUse)
            {
                return Results.Problem($"room '{inUse.Name}' uses '{name}'; switch its layout first", title: "Conflict",
                    statusCode: StatusCodes.Status409Conflict);
            }
            store.Delete(name);
            Log.TemplateDeleted(logger, name);
            return Results.NoContent();
        }).RequireAdmin();
    }

    /// <summary>Logs each file the store skipped, once at start-up.</summary>
    public static void LogSkippedTemplates(LayoutTemplateStore store, ILogger logger)
    {
        foreach (var (file, error) in store.Errors)
        {
            Log.TemplateSkipped(logger, file, error);
        }
    }

    private static IResult NoTemplate(string name) =>
        Results.Problem($"no layout template '{name}'", title: "Not found", statusCode: StatusCodes.Status404NotFound);

    private static IResult Invalid(IReadOnlyList<string> errors) =>
        Results.Problem(string.Join("; ", errors), title: "Invalid layout template", statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["errors"] = errors });
}
