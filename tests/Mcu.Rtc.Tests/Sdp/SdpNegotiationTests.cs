using System.Net;
using Mcu.Rtc.Sdp;

namespace Mcu.Rtc.Tests.Sdp;

public class SdpNegotiationTests
{
    private const string Transport =
        "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\na=fingerprint:sha-256 AB:CD\r\na=setup:actpass\r\na=rtcp-mux\r\n";

    private static string Offer(params string[] sections) =>
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
        + (sections.Length > 1 ? "a=group:BUNDLE " + string.Join(' ', Enumerable.Range(0, sections.Length)) + "\r\n" : "")
        + string.Concat(sections.Select((s, i) => s.Replace("{mid}", i.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    private const string Vp9Av1Video = "m=video 9 UDP/TLS/RTP/SAVPF 98 99 45\r\nc=IN IP4 0.0.0.0\r\n" + Transport
        + "a=mid:{mid}\r\na=rtpmap:98 VP9/90000\r\na=rtpmap:99 rtx/90000\r\na=fmtp:99 apt=98\r\na=rtpmap:45 AV1/90000\r\n";

    private const string OpusAudio = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n" + Transport
        + "a=mid:{mid}\r\na=rtpmap:111 opus/48000/2\r\n";

    private const string Vp8Video = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n" + Transport
        + "a=mid:{mid}\r\na=rtpmap:96 VP8/90000\r\n";

    private const string DataChannel = "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n" + Transport
        + "a=mid:{mid}\r\na=sctp-port:5000\r\n";

    private static SdpAnswer Create(string offer) =>
        SdpAnswerBuilder.Create(SessionDescription.Parse(offer), SdpAnswerBuilderTests.Options());

    [Fact]
    public void OnlyVp9AndAv1VideoIsRefusedNamingWhatWasOffered()
    {
        var error = Assert.Throws<SdpNegotiationException>(() => Create(Offer(Vp9Av1Video)));

        Assert.Equal("no audio or video codec we can mix: offer has video [VP9, AV1]", error.Message);
    }

    [Fact]
    public void H264HighProfileAndModeZeroAreNotMixable()
    {
        string video = "m=video 9 UDP/TLS/RTP/SAVPF 100 101\r\n" + Transport + "a=mid:{mid}\r\n"
            + "a=rtpmap:100 H264/90000\r\na=fmtp:100 packetization-mode=1;profile-level-id=640032\r\n"
            + "a=rtpmap:101 H264/90000\r\na=fmtp:101 packetization-mode=0;profile-level-id=42e01f\r\n";

        var error = Assert.Throws<SdpNegotiationException>(() => Create(Offer(video)));

        Assert.Contains("video [H264]", error.Message);
    }

    [Fact]
    public void UnsupportedSectionsArePortZeroAndStayListedInOrder()
    {
        SdpAnswer answer = Create(Offer(OpusAudio, DataChannel, Vp9Av1Video, Vp8Video, Vp8Video));
        SessionDescription text = SessionDescription.Parse(answer.ToString());

        Assert.Equal(["audio", "application", "video", "video", "video"], text.Media.Select(m => m.Kind));
        Assert.Equal(["0", "1", "2", "3", "4"], text.Media.Select(m => m.Mid));
        Assert.Equal([false, true, true, false, true], text.Media.Select(m => m.Port == 0));
        Assert.Equal(["webrtc-datachannel"], text.Media[1].Formats);
        Assert.Equal(["0", "3"], text.BundleGroup);
        Assert.Equal(["0", "3"], answer.Media.Select(m => m.Mid));
        Assert.Equal(CodecKind.Vp8, answer.Video!.Codec);
    }

    [Fact]
    public void MediaOutsideTheBundleGroupIsRejected()
    {
        string offer = Offer(OpusAudio, Vp8Video).Replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0");

        SessionDescription text = SessionDescription.Parse(Create(offer).ToString());

        Assert.Equal(0, text.Media[1].Port);
        Assert.Equal(["0"], text.BundleGroup);
    }

    [Fact]
    public void SeveralSectionsWithoutBundleAreRefused()
    {
        string offer = Offer(OpusAudio, Vp8Video).Replace("a=group:BUNDLE 0 1\r\n", "");

        var error = Assert.Throws<SdpNegotiationException>(() => Create(offer));

        Assert.Contains("no a=group:BUNDLE", error.Message);
    }

    [Fact]
    public void SingleSectionWithoutBundleIsAnsweredWithoutGroup()
    {
        SdpAnswer answer = Create(Offer(OpusAudio));

        Assert.Empty(SessionDescription.Parse(answer.ToString()).BundleGroup);
        Assert.Equal(111, answer.Audio!.PayloadType);
        Assert.Null(answer.Video);
    }

    [Fact]
    public void MissingIceCredentialsAreNamed()
    {
        string offer = Offer(OpusAudio).Replace("a=ice-pwd:0123456789abcdefghijkl\r\n", "");

        var error = Assert.Throws<SdpNegotiationException>(() => Create(offer));

        Assert.Contains("a=ice-pwd", error.Message);
    }

    [Fact]
    public void WhepViewerOfferIsAnsweredSendOnlyWithOurSsrcs()
    {
        string offer = Offer(OpusAudio, Vp8Video).Replace("a=rtcp-mux\r\n", "a=rtcp-mux\r\na=recvonly\r\n");

        SdpAnswer answer = SdpAnswerBuilder.Create(SessionDescription.Parse(offer), SdpAnswerBuilderTests.Options(receive: false));
        SessionDescription text = SessionDescription.Parse(answer.ToString());

        Assert.All(text.Media, m => Assert.Equal(SdpDirection.SendOnly, m.Direction));
        Assert.Equal([1111u, 2222u], text.Media.Select(m => m.Ssrcs[0].Ssrc));
        Assert.All(answer.Media, m => Assert.Empty(m.RemoteSsrcs));
    }

    [Fact]
    public void ClientOfferServerAnswerClientReadAgreeOnPayloadTypesAndSsrcs()
    {
        var client = new OfferOptions
        {
            IceUfrag = "cliU",
            IcePassword = "clientpassword0123456789",
            Fingerprint = new SdpFingerprint("sha-256", "AA:BB:CC"),
            AudioSsrc = 5001,
            VideoSsrc = 5002,
            VideoCodec = CodecKind.H264,
            Candidates = [new IPEndPoint(IPAddress.Loopback, 50000)],
        };
        string offerText = SdpOfferBuilder.Create(client);

        SdpAnswer server = SdpAnswerBuilder.Create(SessionDescription.Parse(offerText), SdpAnswerBuilderTests.Options());
        SdpAnswer clientView = SdpOfferReader.ReadAnswer(SessionDescription.Parse(server.ToString()), client);

        Assert.Equal(["0", "1"], server.Media.Select(m => m.Mid));
        Assert.Equal(server.Media.Select(m => (m.Mid, m.Codec, m.PayloadType)), clientView.Media.Select(m => (m.Mid, m.Codec, m.PayloadType)));
        Assert.Equal((CodecKind.H264, SdpOfferBuilder.H264PayloadType), (clientView.Video!.Codec, clientView.Video.PayloadType));
        Assert.Equal([5001u], server.Audio!.RemoteSsrcs);
        Assert.Equal([5002u], server.Video!.RemoteSsrcs);
        Assert.Equal([1111u], clientView.Audio!.RemoteSsrcs);
        Assert.Equal([2222u], clientView.Video.RemoteSsrcs);
        Assert.Equal(server.Audio.LocalSsrc, clientView.Audio.RemoteSsrcs[0]);
        Assert.Equal(clientView.Video.LocalSsrc, server.Video.RemoteSsrcs[0]);

        // Both ends see the same extension ids and feedback, and opposite DTLS roles.
        Assert.Equal(
            (server.Video.TransportCcExtId, server.Video.MidExtId, server.Video.NackPli, server.Video.TransportCc),
            (clientView.Video.TransportCcExtId, clientView.Video.MidExtId, clientView.Video.NackPli, clientView.Video.TransportCc));
        Assert.Equal(1, clientView.Audio.AudioLevelExtId);
        Assert.Equal((SdpOfferBuilder.RedPayloadType, SdpOfferBuilder.RedPayloadType), (server.Audio.RedPayloadType, clientView.Audio.RedPayloadType));
        Assert.Equal((SdpSetup.Passive, SdpSetup.Active), (server.LocalSetup, clientView.LocalSetup));
        Assert.Equal(("cliU", "clientpassword0123456789"), (server.RemoteIceUfrag, server.RemoteIcePassword));
        Assert.Equal(("srvU", SdpAnswerBuilderTests.ServerFingerprint), (clientView.RemoteIceUfrag, clientView.RemoteFingerprint));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 40000), clientView.RemoteCandidates[0].EndPoint);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 50000), server.RemoteCandidates[0].EndPoint);
    }

    [Fact]
    public void Ipv6FirstCandidateGivesIp6ConnectionLine()
    {
        AnswerOptions o = SdpAnswerBuilderTests.Options();
        var options = new AnswerOptions
        {
            IceUfrag = o.IceUfrag, IcePassword = o.IcePassword, Fingerprint = o.Fingerprint,
            Candidates = [new IPEndPoint(IPAddress.IPv6Loopback, 41000)],
        };

        string text = SdpAnswerBuilder.Create(SessionDescription.Parse(Offer(OpusAudio)), options).ToString();

        Assert.Contains("m=audio 41000 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP6 ::1\r\n", text);
        Assert.Contains("a=candidate:1 1 udp 2130706431 ::1 41000 typ host\r\n", text);
    }

    [Fact]
    public void HoldConnOfferIsRefused()
    {
        var error = Assert.Throws<SdpNegotiationException>(() => Create(Offer(OpusAudio).Replace("a=setup:actpass", "a=setup:holdconn")));

        Assert.Contains("holdconn", error.Message);
    }

    [Fact]
    public void AnswerThatSaysActPassIsRefusedByTheClient()
    {
        var client = new OfferOptions { IceUfrag = "cliU", IcePassword = "clientpassword0123456789", Fingerprint = new SdpFingerprint("sha-256", "AA:BB") };
        string answer = SdpAnswerBuilder.Create(SessionDescription.Parse(SdpOfferBuilder.Create(client)), SdpAnswerBuilderTests.Options())
            .ToString().Replace("a=setup:passive", "a=setup:actpass");

        var error = Assert.Throws<SdpNegotiationException>(() => SdpOfferReader.ReadAnswer(SessionDescription.Parse(answer), client));

        Assert.Contains("a=setup:actpass", error.Message);
    }

    [Fact]
    public void ExtMapWithDirectionAndSessionLevelExtMapAreRead()
    {
        string offer = Offer(OpusAudio).Replace("t=0 0\r\n", "t=0 0\r\na=extmap:5 " + SdpExtMap.MidUri + "\r\n")
            .Replace("a=mid:0\r\n", "a=mid:0\r\na=extmap:3/sendrecv " + SdpExtMap.TransportCcUri + "\r\n");

        SdpAnswer answer = Create(offer);

        Assert.Equal(3, answer.Audio!.TransportCcExtId);
        Assert.Equal(5, answer.Audio.MidExtId);
        Assert.Equal(new SdpExtMap(3, SdpDirection.SendRecv, SdpExtMap.TransportCcUri, null), SessionDescription.Parse(offer).Media[0].ExtMaps[0]);
    }
}
