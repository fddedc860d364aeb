using Mcu.Rtc.Sdp;

namespace Mcu.Rtc.Tests.Sdp;

public class SessionDescriptionParseTests
{
    [Fact]
    public void ChromiumOfferParsesIntoTypedViews()
    {
        SessionDescription offer = SessionDescription.Parse(SdpFixtures.Read(SdpFixtures.Chromium));

        Assert.Equal(0, offer.Version);
        Assert.Equal("2748864022763086942", offer.Origin.SessionId);
        Assert.Equal(["0", "1"], offer.BundleGroup);
        Assert.Equal(2, offer.Media.Count);

        MediaDescription audio = offer.Media[0];
        Assert.Equal("audio", audio.Kind);
        Assert.Equal(52343, audio.Port);
        Assert.Equal("UDP/TLS/RTP/SAVPF", audio.Protocol);
        Assert.Equal(["111", "63", "9", "0", "8", "13", "110", "126"], audio.Formats);
        Assert.Equal("127.0.0.1", audio.ConnectionAddress);
        Assert.Equal("0", audio.Mid);
        Assert.Equal(SdpDirection.SendRecv, audio.Direction);
        Assert.True(audio.RtcpMux);
        Assert.True(audio.RtcpReducedSize);
        Assert.False(audio.BundleOnly);
        Assert.Equal(new SdpRtpMap(111, "opus", 48000, 2), audio.RtpMaps[0]);
        Assert.Equal(new SdpRtpMap(9, "G722", 8000, null), audio.RtpMaps[2]);
        Assert.Equal("minptime=10;useinbandfec=1", audio.Fmtp[111]);
        Assert.Equal(new SdpRtcpFb(111, "transport-cc", null), Assert.Single(audio.RtcpFeedback));
        Assert.Equal(new SdpExtMap(1, null, SdpExtMap.AudioLevelUri, null), audio.ExtMaps[0]);
        Assert.Equal(8, audio.Candidates.Count);
        Assert.Equal(new SdpCandidate("3498261959", 1, "udp", 2122194687, "127.0.0.1", 52343, "host", null, null,
            "generation 0 network-id 3 network-cost 50"), audio.Candidates[0]);
        Assert.Equal("::1", audio.Candidates[2].Address);
        Assert.Equal("tcp", audio.Candidates[4].Transport);
        Assert.Equal("7MhS", audio.IceUfrag);
        Assert.Equal("ugJOgFqruaEYxt3YMmZgcn18", audio.IcePassword);
        Assert.Equal("sha-256", audio.Fingerprint!.Algorithm);
        Assert.StartsWith("DF:CC:9C", audio.Fingerprint.Value);
        Assert.Equal(SdpSetup.ActPass, audio.Setup);
        Assert.Equal("dd69a211-2c12-4bcb-9b33-9cf0ad60e30a", audio.MsidStream);
        Assert.Equal("9773acd4-3496-4cad-a447-a6560003fc17", audio.MsidTrack);
        Assert.Equal(new SdpSsrc(1581551613, "cname", "eRlS8/Y7oFdkIH/W"), audio.Ssrcs[0]);

        MediaDescription video = offer.Media[1];
        Assert.Equal(23, video.Formats.Count);
        Assert.Equal(5, video.RtcpFeedback.Count(f => f.PayloadType == 96));
        Assert.Contains(video.RtcpFeedback, f => f.PayloadType == 96 && f.Is("nack", "pli"));
        Assert.Equal("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", video.Fmtp[108]);
        var fid = Assert.Single(video.SsrcGroups);
        Assert.Equal("FID", fid.Semantics);
        Assert.Equal([231047268u, 944309846u], fid.Ssrcs);
    }

    [Fact]
    public void GstreamerOfferKeepsUpperCaseOpusAndBundleOnly()
    {
        SessionDescription offer = SessionDescription.Parse(SdpFixtures.Read(SdpFixtures.GstreamerH264));

        Assert.Equal(["audio0", "video1"], offer.BundleGroup);
        Assert.Equal("OPUS", offer.Media[0].RtpMaps[0].EncodingName);
        Assert.True(offer.Media[0].RtcpMuxOnly);
        MediaDescription video = offer.Media[1];
        Assert.Equal(0, video.Port);
        Assert.True(video.BundleOnly);
        Assert.Equal("video1", video.Mid);
        Assert.Equal(new SdpCandidate("1", 1, "UDP", 2015364095, "127.0.0.1", 38058, "host", null, null, null),
            offer.Media[0].Candidates[0]);
        Assert.Empty(video.Candidates);
        Assert.Contains("profile-level-id=42c01e", video.Fmtp[102]);
        Assert.Equal("30", video.GetAttribute("framerate"));
    }

    [Theory]
    [MemberData(nameof(SdpFixtures.All), MemberType = typeof(SdpFixtures))]
    public void FixtureWritesBackByteForByte(string fixture)
    {
        string text = SdpFixtures.Read(fixture);

        Assert.Equal(text, SessionDescription.Parse(text).ToString());
    }

    [Theory]
    [MemberData(nameof(SdpFixtures.All), MemberType = typeof(SdpFixtures))]
    public void RoundTripGivesEqualModelAndKeepsUnknownAttributes(string fixture)
    {
        SessionDescription first = SessionDescription.Parse(SdpFixtures.Read(fixture));
        SessionDescription second = SessionDescription.Parse(first.ToString());

        SdpAssert.Equal(first, second);
        // Attributes this parser gives no typed view keep their place and value.
        Assert.Equal(
            first.Media.SelectMany(m => m.Attributes).Where(a => a.Name is "rtcp-mux-only" or "framerate" or "rtcp-xr" or "rtcp"),
            second.Media.SelectMany(m => m.Attributes).Where(a => a.Name is "rtcp-mux-only" or "framerate" or "rtcp-xr" or "rtcp"));
        Assert.Contains(second.Media.SelectMany(m => m.Attributes), a => a.Name is "rtcp-mux-only" or "rtcp-xr");
    }

    [Fact]
    public void UnknownAttributesAndFieldsRoundTrip()
    {
        string text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\ni=about\r\nb=AS:300\r\nt=0 0\r\na=x-custom:some value\r\na=flag-only\r\n"
            + "m=audio 9 RTP/AVP 0\r\nb=TIAS:64000\r\na=x-media:1 2 3\r\n";

        SessionDescription parsed = SessionDescription.Parse(text);

        Assert.Equal(new SdpAttribute("x-custom", "some value"), parsed.Attributes[0]);
        Assert.Equal(new SdpAttribute("flag-only", null), parsed.Attributes[1]);
        Assert.Equal(new SdpField('b', "TIAS:64000"), parsed.Media[0].Fields[0]);
        Assert.Equal(text, parsed.ToString());
    }

    [Fact]
    public void LfOnlyLineEndsAreAccepted()
    {
        string crlf = SdpFixtures.Read(SdpFixtures.GstreamerVp8);
        SessionDescription parsed = SessionDescription.Parse(crlf.Replace("\r\n", "\n"));

        Assert.Equal(crlf, parsed.ToString());
    }

    [Fact]
    public void SessionLevelTransportAttributesAreInheritedByMedia()
    {
        string text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\n"
            + "a=fingerprint:sha-256 AB:CD\r\na=setup:passive\r\na=recvonly\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n";

        MediaDescription media = SessionDescription.Parse(text).Media[0];

        Assert.Equal("abcd", media.IceUfrag);
        Assert.Equal("0123456789abcdefghijkl", media.IcePassword);
        Assert.Equal(new SdpFingerprint("sha-256", "AB:CD"), media.Fingerprint);
        Assert.Equal(SdpSetup.Passive, media.Setup);
        Assert.Equal(SdpDirection.RecvOnly, media.Direction);
        Assert.Equal("192.0.2.1", media.ConnectionAddress);
    }
}
