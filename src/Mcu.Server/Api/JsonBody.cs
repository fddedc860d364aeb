using System.Text.Json;

namespace Mcu.Server.Api;

/// <summary>
/// Reads a JSON request body ourselves, so that malformed JSON gets a 400 problem saying
/// what and where instead of the framework's bare 400.
/// </summary>
public static class JsonBody
{
    private const int MaxBytes = 256 * 1024;

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        var (text, problem) = await ReadTextAsync(request, ct);
        if (problem is not null)
        {
            return (null, problem);
        }
        try
        {
            var value = JsonSerializer.Deserialize<T>(text!, Options);
            return value is null ? (null, Malformed("the body is JSON null")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Malformed(Describe(e)));
        }
    }

    /// <summary>The body as text, checked to be JSON-typed and not too large.</summary>
    public static async Task<(string? Text, IResult? Problem)> ReadTextAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentType is null || !request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Results.Problem("Send the body as Content-Type: application/json.", title: "Unsupported media type",
                statusCode: StatusCodes.Status415UnsupportedMediaType));
        }
        if (request.ContentLength > MaxBytes)
        {
            return (null, TooLarge());
        }
        using var reader = new StreamReader(request.Body);
        var buffer = new char[MaxBytes + 1];
        int total = 0, read;
        while (total < buffer.Length && (read = await reader.ReadAsync(buffer.AsMemory(total), ct)) > 0)
        {
            total += read;
        }
        return total > MaxBytes ? (null, TooLarge()) : (new string(buffer, 0, total), null);
    }

    public static IResult Malformed(string detail) =>
        Results.Problem(detail, title: "Malformed JSON", statusCode: StatusCodes.Status400BadRequest);

    public static string Describe(JsonException e)
    {
        string message = e.Message;
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        message = end > 0 ? message[..end] : message.TrimEnd('.');
        return e.Path is { Length: > 0 } path && !message.Contains(path, StringComparison.Ordinal)
            ? $"{path}: {message}"
            : message;
    }

    private static IResult TooLarge() => Results.Problem($"The body may be at most {MaxBytes} bytes.",
        statusCode: StatusCodes.Status413PayloadTooLarge);
}
