using CsCheck;
using Mcu.Rtc.Sdp;

namespace Mcu.Rtc.Tests.Sdp;

/// <summary>Parse on arbitrary text must either succeed or throw SdpParseException, never anything else.</summary>
public class SdpParserPropertyTests
{
    // Characters that make SDP interesting: line types, separators, digits, line ends.
    private static readonly Gen<string> SdpLikeText =
        Gen.OneOf(
            Gen.String[Gen.Char["vosmatcbiuepzrk=:/ 0123456789\r\n-*.AIPN"], 0, 300],
            Gen.String);

    [Fact]
    public void RandomTextOnlyEverThrowsSdpParseException()
    {
        SdpLikeText.Sample(text =>
        {
            try
            {
                _ = SessionDescription.Parse(text);
            }
            catch (SdpParseException)
            {
            }
        }, iter: 20_000);
    }

    [Fact]
    public void MutatedFixturesOnlyEverThrowSdpParseExceptionAndParsedOnesRoundTrip()
    {
        string[] fixtures = [SdpFixtures.Read(SdpFixtures.Chromium), SdpFixtures.Read(SdpFixtures.GstreamerVp8), SdpFixtures.Read(SdpFixtures.GstreamerH264)];
        Gen<string> mutated =
            from f in Gen.Int[0, fixtures.Length - 1]
            from cut in Gen.Int[0, 5_000]
            from insert in Gen.String[Gen.Char[" =:\r\n/0123456789abcxyz"], 0, 8]
            select Mutate(fixtures[f], cut, insert);

        mutated.Sample(text =>
        {
            SessionDescription parsed;
            try
            {
                parsed = SessionDescription.Parse(text);
            }
            catch (SdpParseException)
            {
                return;
            }

            string written = parsed.ToString();
            Assert.Equal(written, SessionDescription.Parse(written).ToString());
        }, iter: 5_000);
    }

    private static string Mutate(string text, int cut, string insert)
    {
        int at = cut % (text.Length + 1);
        return text[..at] + insert + text[Math.Min(text.Length, at + insert.Length)..];
    }
}
