namespace Mcu.Testing;

/// <summary>Polls a condition until it holds; media takes a moment to start flowing.</summary>
public static class Eventually
{
    public static async Task<T> Get<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        T value = await read();
        while (!done(value))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {within.TotalSeconds} s; last value: {Describe(value)}");
            }
            await Task.Delay(200);
            value = await read();
        }
        return value;
    }

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Text.Json.JsonElement json => json.GetRawText(),
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object>()) + "]",
        _ => value.ToString() ?? "",
    };
}
