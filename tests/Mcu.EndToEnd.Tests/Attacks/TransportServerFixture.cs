namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>The usual test server, with a client that is the admin (bots joining through it need no token of their own).</summary>
public class TransportServerFixture : ServerFixture
{
    public new HttpClient CreateClient()
    {
        var http = base.CreateClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
        return http;
    }

    public Uri Whip(string room, string name) => new(BaseAddress, $"/api/rooms/{room}/whip?name={name}");
}
