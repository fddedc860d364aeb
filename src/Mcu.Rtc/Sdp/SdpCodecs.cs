namespace Mcu.Rtc.Sdp;

/// <summary>A codec of ours found in a description, with the rtpmap that names it there.</summary>
internal sealed record SdpCodecMatch(CodecKind Kind, SdpRtpMap RtpMap);

/// <summary>
/// Which offered payload types the mixer can take: Opus 48000/2 (RFC 7587), VP8 (RFC 7741) and
/// H.264 constrained baseline with packetization-mode=1 (RFC 6184). Encoding names compare
/// case-insensitively (GStreamer sends "OPUS").
/// </summary>
internal static class SdpCodecs
{
    /// <summary>Not codecs: wrappers and helpers that ride along with one (never answered).</summary>
    private static readonly HashSet<string> NotCodecs =
        new(["rtx", "red", "ulpfec", "flexfec-03", "cn", "telephone-event"], StringComparer.OrdinalIgnoreCase);

    // RFC 6184 §8.1 profile-level-id: profile_idc 0x42 (baseline) with constraint_set1 (0xe0/0xc0 make it
    // constrained baseline); 0x4200 plain baseline is what Chromium offers and decoders treat alike.
    private static readonly string[] BaselineProfiles = ["42e0", "42c0", "4200"];

    public static bool TryMatch(SdpRtpMap map, string? fmtp, out CodecKind kind)
    {
        kind = default;
        if (Named(map, "opus") && map.ClockRate == 48000 && map.Channels == 2)
        {
            kind = CodecKind.Opus;
            return true;
        }

        if (Named(map, "VP8") && map.ClockRate == 90000)
        {
            kind = CodecKind.Vp8;
            return true;
        }

        if (Named(map, "H264") && map.ClockRate == 90000 && IsConstrainedBaselineMode1(fmtp))
        {
            kind = CodecKind.H264;
            return true;
        }

        return false;
    }

    /// <summary>
    /// The first offered format (offerer's order) of the most preferred codec kind we support.
    /// </summary>
    public static SdpCodecMatch? Choose(MediaDescription media, IReadOnlyList<CodecKind> preference)
    {
        IReadOnlyList<SdpRtpMap> maps = media.RtpMaps;
        IReadOnlyDictionary<int, string> fmtp = media.Fmtp;
        var offered = new List<SdpCodecMatch>();
        foreach (string format in media.Formats)
        {
            if (!SdpNumbers.TryParsePayloadType(format, out int pt))
            {
                continue;
            }

            SdpRtpMap? map = maps.FirstOrDefault(m => m.PayloadType == pt);
            if (map is not null && TryMatch(map, fmtp.GetValueOrDefault(pt), out CodecKind kind))
            {
                offered.Add(new SdpCodecMatch(kind, map));
            }
        }

        foreach (CodecKind wanted in preference)
        {
            if (offered.Find(o => o.Kind == wanted) is { } match)
            {
                return match;
            }
        }

        return null;
    }

    /// <summary>
    /// The payload type of an offered Opus RED (RFC 2198, <c>red/48000/2</c>) whose blocks are all
    /// <paramref name="opusPayloadType"/> (its a=fmtp reads "111/111"; without one, any), or null.
    /// </summary>
    public static int? FindRed(MediaDescription media, int opusPayloadType)
    {
        foreach (SdpRtpMap map in media.RtpMaps)
        {
            if (!Named(map, "red") || map.ClockRate != 48000 || !media.Formats.Contains(map.PayloadType.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            {
                continue;
            }

            string pt = opusPayloadType.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (media.Fmtp.GetValueOrDefault(map.PayloadType) is not { } fmtp
                || fmtp.Trim().Split('/').All(p => p.Trim() == pt))
            {
                return map.PayloadType;
            }
        }

        return null;
    }

    /// <summary>The a=fmtp of our RED: two redundant copies of Opus (what Chrome sends).</summary>
    public static string RedFmtp(int opusPayloadType) => $"{opusPayloadType}/{opusPayloadType}";

    /// <summary>Codecs of a media section by name, in offer order, without RTX/RED/FEC/CN/DTMF.</summary>
    public static IEnumerable<string> OfferedNames(MediaDescription media) =>
        media.RtpMaps.Select(m => m.EncodingName)
            .Where(n => !NotCodecs.Contains(n))
            .Distinct(StringComparer.OrdinalIgnoreCase);

    /// <summary>The a=fmtp parameters we answer or offer for a codec, given the remote's (for H.264 level).</summary>
    public static string? LocalFmtp(CodecKind kind, string? remoteFmtp) => kind switch
    {
        // Receive preferences (RFC 7587 §6.1): send us in-band FEC, and DTX during silence.
        CodecKind.Opus => "minptime=10;useinbandfec=1;usedtx=1",
        CodecKind.H264 => "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id="
            + (SdpFmtp.ParseParameters(remoteFmtp).GetValueOrDefault("profile-level-id") ?? "42e01f"),
        _ => null,
    };

    private static bool Named(SdpRtpMap map, string name) =>
        string.Equals(map.EncodingName, name, StringComparison.OrdinalIgnoreCase);

    private static bool IsConstrainedBaselineMode1(string? fmtp)
    {
        IReadOnlyDictionary<string, string> p = SdpFmtp.ParseParameters(fmtp);
        return p.GetValueOrDefault("packetization-mode") == "1"
            && p.GetValueOrDefault("profile-level-id") is { Length: 6 } profile
            && profile.All(char.IsAsciiHexDigit)
            && BaselineProfiles.Any(b => profile.StartsWith(b, StringComparison.OrdinalIgnoreCase));
    }
}
