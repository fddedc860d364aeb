using System.Net;
using System.Text;
using Mcu.Rtc.Sdp;

namespace Mcu.Fuzz.Targets;

/// <summary>
/// An offer as a WHIP POST brings it: parse, build our answer with the server's
/// <see cref="AnswerOptions"/>, write it. What we write must parse again: an offer must never
/// be able to make us send an answer a browser (or we) cannot read.
/// </summary>
internal static class SdpTarget
{
    private static readonly AnswerOptions Options = new()
    {
        IceUfrag = "abcd",
        IcePassword = "0123456789012345678901",
        Fingerprint = new SdpFingerprint("sha-256", "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"),
        Candidates = [new IPEndPoint(IPAddress.Loopback, 5000)],
        AudioSsrc = 1111,
        VideoSsrc = 2222,
        SessionId = 42,
    };

    public static void Run(byte[] data)
    {
        if (!SessionDescription.TryParse(Encoding.UTF8.GetString(data), out var offer, out _))
        {
            return;
        }
        string written = offer.ToString();
        if (!SessionDescription.TryParse(written, out _, out string? error))
        {
            throw new FuzzInvariantException($"an offer we parsed does not parse once written back: {error}");
        }
        SdpAnswer answer;
        try
        {
            answer = SdpAnswerBuilder.Create(offer, Options);
        }
        catch (SdpNegotiationException)
        {
            return; // A clear refusal is a correct answer to a bad offer.
        }
        string text = answer.Description.ToString();
        if (!SessionDescription.TryParse(text, out _, out error))
        {
            throw new FuzzInvariantException($"our answer does not parse: {error}");
        }
    }
}
