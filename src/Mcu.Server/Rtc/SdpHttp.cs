using System.Text;
using Mcu.Rtc.Sdp;

namespace Mcu.Server.Rtc;

/// <summary>The HTTP edge of offer/answer (RFC 9725 §4.2): reading offers, writing answers and SDP errors.</summary>
public static class SdpHttp
{
    public const string ContentType = "application/sdp";
    private const int MaxOfferBytes = 64 * 1024;

    /// <summary>Reads the body as an SDP offer, or returns the problem response to send instead.</summary>
    public static async Task<(string? Offer, IResult? Problem)> ReadOfferAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentType is null || !request.ContentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return (null, Results.Problem($"WHIP offers are sent as Content-Type: {ContentType}.",
                statusCode: StatusCodes.Status415UnsupportedMediaType));
        }
        if (request.ContentLength > MaxOfferBytes)
        {
            return (null, Results.Problem($"An offer may be at most {MaxOfferBytes} bytes.",
                statusCode: StatusCodes.Status413PayloadTooLarge));
        }
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[MaxOfferBytes + 1];
        int total = 0, read;
        while (total < buffer.Length && (read = await reader.ReadAsync(buffer.AsMemory(total), ct)) > 0)
        {
            total += read;
        }
        if (total > MaxOfferBytes)
        {
            return (null, Results.Problem($"An offer may be at most {MaxOfferBytes} bytes.",
                statusCode: StatusCodes.Status413PayloadTooLarge));
        }
        return (new string(buffer, 0, total), null);
    }

    /// <summary>
    /// 201 Created with the answer, as WHIP and WHEP require; the session's <c>Location</c> is
    /// <paramref name="path"/>, made absolute on <paramref name="baseUrl"/> when given (a node of a cluster).
    /// </summary>
    public static IResult Created(HttpContext context, string path, SdpAnswer answer, Uri? baseUrl = null)
    {
        context.Response.Headers.Location = baseUrl is null ? path : new Uri(baseUrl, path).ToString();
        // RFC 9725 §4.3.1: the session's entity tag, for If-Match on PATCH; it names the session's ICE generation.
        context.Response.Headers.ETag = Conference.WhipSession.ETag(path);
        Conference.WhipSession.AddIceServerLinks(context);
        return Results.Text(answer.Description.ToString(), ContentType, Encoding.UTF8, StatusCodes.Status201Created);
    }

    /// <summary>Maps what went wrong with an offer to a problem response that says why.</summary>
    public static IResult? Problem(Exception e) => e switch
    {
        SdpParseException parse => Results.Problem(parse.Message, title: "Malformed SDP offer",
            statusCode: StatusCodes.Status400BadRequest),
        SdpNegotiationException negotiation => Results.Problem(negotiation.Message, title: "Unsupported offer",
            statusCode: StatusCodes.Status406NotAcceptable),
        _ => null,
    };
}
