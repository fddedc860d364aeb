using System.Net;
using Mcu.Rtc.Sdp;

namespace Mcu.Rtc.Tests.Sdp;

public class SdpAnswerBuilderTests
{
    internal static readonly SdpFingerprint ServerFingerprint = new("sha-256",
        "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF");

    internal static AnswerOptions Options(bool send = true, bool receive = true) => new()
    {
        IceUfrag = "srvU",
        IcePassword = "serverpassword0123456789",
        Fingerprint = ServerFingerprint,
        Candidates = [new IPEndPoint(IPAddress.Loopback, 40000), new IPEndPoint(IPAddress.IPv6Loopback, 40001)],
        AudioSsrc = 1111,
        VideoSsrc = 2222,
        Cname = "mcu-room-1",
        StreamId = "room-1",
        SendMedia = send,
        ReceiveMedia = receive,
    };

    private static SdpAnswer Answer(string fixture, AnswerOptions? options = null) =>
        SdpAnswerBuilder.Create(SessionDescription.Parse(SdpFixtures.Read(fixture)), options ?? Options());

    [Fact]
    public void ChromiumGetsVp8AndOpusWithItsPayloadTypes()
    {
        SdpAnswer answer = Answer(SdpFixtures.Chromium);

        Assert.Equal(CodecKind.Opus, answer.Audio!.Codec);
        Assert.Equal(111, answer.Audio.PayloadType);
        Assert.Equal(48000, answer.Audio.ClockRate);
        Assert.Equal(2, answer.Audio.Channels);
        Assert.Equal(CodecKind.Vp8, answer.Video!.Codec);
        Assert.Equal(96, answer.Video.PayloadType);
        Assert.Equal("7MhS", answer.RemoteIceUfrag);
        Assert.Equal("ugJOgFqruaEYxt3YMmZgcn18", answer.RemoteIcePassword);
        Assert.StartsWith("DF:CC:9C", answer.RemoteFingerprint.Value);
        Assert.Equal(SdpSetup.ActPass, answer.RemoteSetup);
        Assert.Equal(SdpSetup.Passive, answer.LocalSetup);
        Assert.Equal(8, answer.RemoteCandidates.Count);

        // Feedback and header extensions: only what the offer has and we implement, with its ids.
        Assert.True(answer.Audio.TransportCc);
        Assert.False(answer.Audio.Nack);
        Assert.Equal(1, answer.Audio.AudioLevelExtId);
        Assert.Equal(2, answer.Audio.AbsSendTimeExtId);
        Assert.Equal(3, answer.Audio.TransportCcExtId);
        Assert.Equal(4, answer.Audio.MidExtId);
        Assert.True(answer.Video.Nack && answer.Video.NackPli && answer.Video.CcmFir && answer.Video.GoogRemb && answer.Video.TransportCc);
        Assert.Null(answer.Video.AudioLevelExtId);
        Assert.Equal([1581551613u], answer.Audio.RemoteSsrcs);
        Assert.Equal([231047268u], answer.Video.RemoteSsrcs); // 944309846 is the RTX of the FID group
        Assert.Equal(1111u, answer.Audio.LocalSsrc);
        Assert.Equal(2222u, answer.Video.LocalSsrc);
    }

    [Fact]
    public void ChromiumAnswerTextFollowsTheRules()
    {
        SessionDescription text = SessionDescription.Parse(Answer(SdpFixtures.Chromium).ToString());

        Assert.True(text.IceLite);
        Assert.Equal(["0", "1"], text.BundleGroup);
        Assert.Equal(2, text.Media.Count);
        MediaDescription audio = text.Media[0], video = text.Media[1];
        // Opus in RED first, so Chromium sends its redundancy; FEC and DTX asked for.
        Assert.Equal(["63", "111"], audio.Formats);
        Assert.Equal([new SdpRtpMap(111, "opus", 48000, 2), new SdpRtpMap(63, "red", 48000, 2)], audio.RtpMaps);
        Assert.Equal("minptime=10;useinbandfec=1;usedtx=1", audio.Fmtp[111]);
        Assert.Equal("111/111", audio.Fmtp[63]);
        Assert.Equal(["96"], video.Formats);
        Assert.Equal(5, video.RtcpFeedback.Count);
        Assert.DoesNotContain(video.RtpMaps, r => r.EncodingName is "rtx" or "red" or "ulpfec");
        Assert.Equal([1, 2, 3, 4], audio.ExtMaps.Select(e => e.Id));
        Assert.Equal([2, 3, 4], video.ExtMaps.Select(e => e.Id));
        foreach (MediaDescription m in text.Media)
        {
            Assert.Equal(40000, m.Port);
            Assert.Equal("127.0.0.1", m.ConnectionAddress);
            Assert.Equal(SdpDirection.SendRecv, m.Direction);
            Assert.Equal(SdpSetup.Passive, m.Setup);
            Assert.Equal("srvU", m.IceUfrag);
            Assert.Equal(ServerFingerprint, m.Fingerprint);
            Assert.True(m.RtcpMux);
            Assert.True(m.RtcpReducedSize);
            Assert.Equal("room-1", m.MsidStream);
        }

        Assert.Equal([new SdpSsrc(1111, "cname", "mcu-room-1"), new SdpSsrc(1111, "msid", "room-1 room-1-audio")], audio.Ssrcs);
        Assert.Equal(2222u, video.Ssrcs[0].Ssrc);
        Assert.Equal(
            [new SdpCandidate("1", 1, "udp", 2130706431, "127.0.0.1", 40000, "host", null, null, null),
             new SdpCandidate("2", 1, "udp", 2130706175, "::1", 40001, "host", null, null, null)],
            audio.Candidates);
        Assert.True(audio.EndOfCandidates);
        Assert.Empty(video.Candidates);
        Assert.Contains("a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n", text.ToString());
    }

    [Fact]
    public void Passive_tcp_candidates_follow_the_udp_ones_below_every_udp_priority()
    {
        var options = Options();
        var withTcp = new AnswerOptions
        {
            IceUfrag = options.IceUfrag, IcePassword = options.IcePassword, Fingerprint = options.Fingerprint,
            Candidates = options.Candidates,
            TcpCandidates = [new IPEndPoint(IPAddress.Loopback, 40000), new IPEndPoint(IPAddress.IPv6Loopback, 40001)],
        };
        MediaDescription audio = SessionDescription.Parse(Answer(SdpFixtures.Chromium, withTcp).ToString()).Media[0];

        Assert.Equal(["udp", "udp", "tcp", "tcp"], audio.Candidates.Select(c => c.Transport));
        var tcp = audio.Candidates.Where(c => c.IsTcp).ToList();
        Assert.All(tcp, c => Assert.Equal("passive", c.TcpType));
        Assert.All(tcp, c => Assert.Equal("host", c.Type));
        // RFC 6544 §4.2: type preference 90 below UDP's 126, local preference 2^13 × 4 (passive) + 8191, then down.
        Assert.Equal([1520435199u, 1520434943u], tcp.Select(c => c.Priority));
        Assert.True(tcp.Max(c => c.Priority) < audio.Candidates.Where(c => c.IsUdp).Min(c => c.Priority));
        // Foundations differ across protocols (RFC 8445 §5.1.1.3).
        Assert.Equal(4, audio.Candidates.Select(c => c.Foundation).Distinct().Count());
        Assert.Contains("a=candidate:tcp1 1 tcp 1520435199 127.0.0.1 40000 typ host tcptype passive\r\n", Answer(SdpFixtures.Chromium, withTcp).ToString());
        Assert.Equal(40000, audio.Port); // the default address stays the first UDP candidate
        Assert.True(audio.EndOfCandidates);
    }

    [Fact]
    public void GstreamerH264OfferGetsH264WithItsPayloadTypeOnTheBundleOnlyLine()
    {
        SdpAnswer answer = Answer(SdpFixtures.GstreamerH264);

        Assert.Equal(CodecKind.Opus, answer.Audio!.Codec);
        Assert.Equal(CodecKind.H264, answer.Video!.Codec);
        Assert.Equal(102, answer.Video.PayloadType);
        Assert.Equal("video1", answer.Video.Mid);
        Assert.Contains("sprop-parameter-sets=", answer.Video.Fmtp);
        Assert.True(answer.Video.NackPli && answer.Video.CcmFir && answer.Video.TransportCc);
        Assert.False(answer.Video.Nack || answer.Video.GoogRemb);
        Assert.Equal([708754038u], answer.Video.RemoteSsrcs);

        SessionDescription text = SessionDescription.Parse(answer.ToString());
        MediaDescription video = text.Media[1];
        Assert.Equal(["audio0", "video1"], text.BundleGroup);
        Assert.NotEqual(0, video.Port); // bundle-only in the offer, accepted in the answer
        Assert.False(video.BundleOnly);
        Assert.Equal(["102"], video.Formats);
        Assert.Equal("H264", video.RtpMaps[0].EncodingName);
        Assert.Equal("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42c01e", video.Fmtp[102]);
        Assert.Equal(
            ["102 ccm fir", "102 nack pli", "102 transport-cc"],
            video.RtcpFeedback.Select(f => f.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal("OPUS", text.Media[0].RtpMaps[0].EncodingName);
    }

    [Fact]
    public void GstreamerVp8OfferGetsVp8()
    {
        SdpAnswer answer = Answer(SdpFixtures.GstreamerVp8);

        Assert.Equal((CodecKind.Opus, 111), (answer.Audio!.Codec, answer.Audio.PayloadType));
        Assert.Equal((CodecKind.Vp8, 96), (answer.Video!.Codec, answer.Video.PayloadType));
        Assert.Equal(["audio0", "video1"], SessionDescription.Parse(answer.ToString()).BundleGroup);
    }

    [Fact]
    public void VideoPreferenceChoosesH264FromChromiumAndKeepsOfferOrderWithinIt()
    {
        AnswerOptions options = Options();
        SdpAnswer answer = SdpAnswerBuilder.Create(
            SessionDescription.Parse(SdpFixtures.Read(SdpFixtures.Chromium)),
            new AnswerOptions
            {
                IceUfrag = options.IceUfrag, IcePassword = options.IcePassword, Fingerprint = options.Fingerprint,
                Candidates = options.Candidates, VideoCodecPreference = [CodecKind.H264, CodecKind.Vp8],
            });

        // 102 (42001f, mode 1) comes before 108 (42e01f) in the offer; 104 and 114 are mode 0, 116 is main profile.
        Assert.Equal((CodecKind.H264, 102), (answer.Video!.Codec, answer.Video.PayloadType));
    }

    [Theory]
    [InlineData("sendrecv", true, true, SdpDirection.SendRecv)]
    [InlineData("recvonly", true, true, SdpDirection.SendOnly)]
    [InlineData("sendonly", true, true, SdpDirection.RecvOnly)]
    [InlineData("inactive", true, true, SdpDirection.Inactive)]
    [InlineData("sendrecv", false, true, SdpDirection.RecvOnly)]
    [InlineData("sendrecv", true, false, SdpDirection.SendOnly)]
    [InlineData("recvonly", false, true, SdpDirection.Inactive)]
    public void DirectionMirrorsTheOffer(string offered, bool send, bool receive, SdpDirection expected)
    {
        string text = SdpFixtures.Read(SdpFixtures.GstreamerVp8).Replace("a=sendrecv", "a=" + offered);

        SdpAnswer answer = SdpAnswerBuilder.Create(SessionDescription.Parse(text), Options(send, receive));

        MediaDescription audio = SessionDescription.Parse(answer.ToString()).Media[0];
        Assert.Equal(expected, audio.Direction);
        Assert.Equal(expected is SdpDirection.SendRecv or SdpDirection.SendOnly, audio.Ssrcs.Count > 0);
        Assert.Equal(Enum.Parse<SdpDirection>(offered, ignoreCase: true), answer.Audio!.RemoteDirection);
    }

    [Theory]
    [InlineData("actpass", SdpSetup.Passive)]
    [InlineData("active", SdpSetup.Passive)]
    [InlineData("passive", SdpSetup.Active)]
    public void SetupGivesTheOtherDtlsRole(string offered, SdpSetup ours)
    {
        string text = SdpFixtures.Read(SdpFixtures.GstreamerVp8).Replace("a=setup:actpass", "a=setup:" + offered);

        SdpAnswer answer = SdpAnswerBuilder.Create(SessionDescription.Parse(text), Options());

        Assert.Equal(ours, answer.LocalSetup);
        Assert.All(SessionDescription.Parse(answer.ToString()).Media, m => Assert.Equal(ours, m.Setup));
    }

    [Fact]
    public void Opus_in_red_is_accepted_only_when_offered_and_wanted()
    {
        Assert.Equal(63, Answer(SdpFixtures.Chromium).Audio!.RedPayloadType);
        Assert.Null(Answer(SdpFixtures.GstreamerVp8).Audio!.RedPayloadType); // offers no RED

        var without = new AnswerOptions
        {
            IceUfrag = "srvU",
            IcePassword = "serverpassword0123456789",
            Fingerprint = ServerFingerprint,
            Candidates = [new IPEndPoint(IPAddress.Loopback, 40000)],
            AcceptRed = false,
        };
        SdpAnswer answer = Answer(SdpFixtures.Chromium, without);
        Assert.Null(answer.Audio!.RedPayloadType);
        MediaDescription audio = SessionDescription.Parse(answer.ToString()).Media[0];
        Assert.Equal(["111"], audio.Formats);
        Assert.DoesNotContain(audio.RtpMaps, r => r.EncodingName == "red");
    }

    [Fact]
    public void Red_whose_blocks_are_another_codec_is_not_taken_for_opus()
    {
        string offer = SdpFixtures.Read(SdpFixtures.Chromium).Replace("a=fmtp:63 111/111", "a=fmtp:63 0/0", StringComparison.Ordinal);
        SdpAnswer answer = SdpAnswerBuilder.Create(SessionDescription.Parse(offer), Options());
        Assert.Null(answer.Audio!.RedPayloadType);
    }
}
