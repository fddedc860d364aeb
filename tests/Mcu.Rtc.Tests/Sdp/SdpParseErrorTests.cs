using Mcu.Rtc.Sdp;

namespace Mcu.Rtc.Tests.Sdp;

public class SdpParseErrorTests
{
    private const string Head = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";

    [Theory]
    [InlineData("", 1, "must start with 'v=0'")]
    [InlineData("o=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", 1, "must start with 'v=0'")]
    [InlineData("v=1\r\n", 1, "v= must be 0")]
    [InlineData("v=0\r\no=- 1 1 IN IP4\r\n", 2, "o= line needs")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n", 3, "ends before the s= line")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n", 4, "no t= line")]
    [InlineData(Head + "m=audio\r\n", 5, "m= line needs '<media> <port> <proto> <fmt> ...'")]
    [InlineData(Head + "m=audio 9 UDP/TLS/RTP/SAVPF\r\n", 5, "m= line needs")]
    [InlineData(Head + "m=audio nine UDP/TLS/RTP/SAVPF 111\r\n", 5, "m= port must be a number 0-65535, got 'nine'")]
    [InlineData(Head + "m=audio 70000 UDP/TLS/RTP/SAVPF 111\r\n", 5, "got '70000'")]
    [InlineData(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111\r\n", 6, "a=rtpmap needs")]
    [InlineData(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/fast/2\r\n", 6, "a=rtpmap needs")]
    [InlineData(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=candidate:1 1 udp 5 1.2.3.4\r\n", 6, "a=candidate needs")]
    [InlineData(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=setup:sideways\r\n", 6, "a=setup must be")]
    [InlineData(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=extmap:0 urn:x\r\n", 6, "a=extmap needs")]
    [InlineData(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ssrc:-5 cname:x\r\n", 6, "a=ssrc needs")]
    [InlineData(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:sha-256 XYZ\r\n", 6, "a=fingerprint needs")]
    [InlineData(Head + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nt=0 0\r\n", 6, "only allowed at session level")]
    [InlineData(Head + "garbage\r\n", 5, "expected '<type>=<value>'")]
    [InlineData(Head + "x=1\r\n", 5, "unknown line type 'x='")]
    [InlineData(Head + "a=\r\n", 5, "a= line needs")]
    [InlineData(Head + "c=IN IP4\r\n", 5, "c= line needs")]
    [InlineData(Head + "v=0\r\n", 5, "second v= line")]
    public void MalformedDescriptionNamesLineAndProblem(string sdp, int line, string problem)
    {
        SdpParseException error = Assert.Throws<SdpParseException>(() => SessionDescription.Parse(sdp));

        Assert.Equal(line, error.LineNumber);
        Assert.StartsWith($"line {line}: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void TruncatedFixtureFailsOnTheCutLine()
    {
        string text = SdpFixtures.Read(SdpFixtures.Chromium);
        int cut = text.IndexOf("m=video", StringComparison.Ordinal) + "m=video 9 UDP".Length;

        SdpParseException error = Assert.Throws<SdpParseException>(() => SessionDescription.Parse(text[..cut]));

        Assert.Equal(text[..cut].Split('\n').Length, error.LineNumber);
        Assert.Contains("m= line needs", error.Message);
    }

    [Fact]
    public void TryParseReportsTheSameMessage()
    {
        Assert.False(SessionDescription.TryParse(Head + "m=audio x y z\r\n", out SessionDescription? description, out string? error));
        Assert.Null(description);
        Assert.Equal("line 5: m= port must be a number 0-65535, got 'x'", error);

        Assert.True(SessionDescription.TryParse(Head, out description, out error));
        Assert.NotNull(description);
        Assert.Null(error);
    }
}
