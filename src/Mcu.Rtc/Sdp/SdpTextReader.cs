namespace Mcu.Rtc.Sdp;

/// <summary>
/// Reads SDP text line by line into a <see cref="SessionDescription"/> (RFC 8866 §5, §9 grammar).
/// Strict where a mistake would change meaning (order of v=/o=/s=, the m= line, the known
/// attributes' syntax), lenient where clients differ harmlessly (LF or CRLF, blank lines,
/// order of the other fields). Every error names its 1-based line.
/// </summary>
internal static class SdpTextReader
{
    private const string MediaGrammar = "m= line needs '<media> <port> <proto> <fmt> ...'";
    private const string OriginGrammar = "o= line needs '<username> <sess-id> <sess-version> <nettype> <addrtype> <address>'";
    private const string ConnectionGrammar = "c= line needs '<nettype> <addrtype> <address>'";
    private const string SessionOnlyTypes = "uepzrt";
    private const string KnownTypes = "vosiuepcbtrzkam";

    public static SessionDescription Read(string sdp)
    {
        ArgumentNullException.ThrowIfNull(sdp);
        string[] lines = sdp.Split('\n');
        var description = new SessionDescription();
        MediaDescription? media = null;
        int expected = 0; // 0: v=, 1: o=, 2: s=, 3: body
        bool sawTiming = false;
        int lineNumber = 0;
        int lastContentLine = 0;

        foreach (string rawLine in lines)
        {
            lineNumber++;
            string line = rawLine.EndsWith('\r') ? rawLine[..^1] : rawLine;
            if (line.Length == 0)
            {
                continue;
            }

            lastContentLine = lineNumber;
            if (line.Length < 2 || line[1] != '=')
            {
                throw new SdpParseException(lineNumber, $"expected '<type>=<value>', got '{Shorten(line)}'");
            }

            char type = line[0];
            string value = line[2..];
            if (!KnownTypes.Contains(type))
            {
                throw new SdpParseException(lineNumber, $"unknown line type '{Shorten(type.ToString())}=' (RFC 8866 §5 defines v o s i u e p c b t r z k a m)");
            }

            switch (expected)
            {
                case 0:
                    if (type != 'v')
                    {
                        throw new SdpParseException(lineNumber, $"SDP must start with 'v=0', got '{Shorten(line)}'");
                    }

                    if (value != "0")
                    {
                        throw new SdpParseException(lineNumber, $"v= must be 0, got '{Shorten(value)}'");
                    }

                    expected = 1;
                    continue;
                case 1:
                    if (type != 'o')
                    {
                        throw new SdpParseException(lineNumber, $"expected the o= line after v=, got '{Shorten(line)}'");
                    }

                    if (!SdpOrigin.TryParse(value, out SdpOrigin? origin))
                    {
                        throw new SdpParseException(lineNumber, OriginGrammar);
                    }

                    description.Origin = origin!;
                    expected = 2;
                    continue;
                case 2:
                    if (type != 's')
                    {
                        throw new SdpParseException(lineNumber, $"expected the s= line after o=, got '{Shorten(line)}'");
                    }

                    description.SessionName = value;
                    expected = 3;
                    continue;
            }

            switch (type)
            {
                case 'v':
                    throw new SdpParseException(lineNumber, "second v= line: one session description per text");
                case 'o':
                case 's':
                    throw new SdpParseException(lineNumber, $"{type}= may appear only once, after v=");
                case 'm':
                    if (!sawTiming)
                    {
                        throw new SdpParseException(lineNumber, "missing t= line before the first m= line (RFC 8866 §5.9; WebRTC sends 't=0 0')");
                    }

                    media = ReadMediaLine(value, lineNumber);
                    media.Session = description;
                    description.Media.Add(media);
                    break;
                case 'a':
                    SdpAttribute attribute = ReadAttribute(value, lineNumber);
                    (media?.Attributes ?? description.Attributes).Add(attribute);
                    break;
                default:
                    if (media is not null && SessionOnlyTypes.Contains(type))
                    {
                        throw new SdpParseException(lineNumber, $"{type}= is only allowed at session level, not after an m= line");
                    }

                    if (type == 'c' && value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 3)
                    {
                        throw new SdpParseException(lineNumber, ConnectionGrammar);
                    }

                    sawTiming |= type == 't';
                    (media?.Fields ?? description.Fields).Add(new SdpField(type, value));
                    break;
            }
        }

        int end = lastContentLine + 1;
        if (expected < 3)
        {
            string missing = expected switch { 0 => "v=", 1 => "o=", _ => "s=" };
            throw new SdpParseException(end, expected == 0 ? "empty description: SDP must start with 'v=0'" : $"description ends before the {missing} line");
        }

        if (!sawTiming)
        {
            throw new SdpParseException(end, "description has no t= line (RFC 8866 §5.9; WebRTC sends 't=0 0')");
        }

        return description;
    }

    private static MediaDescription ReadMediaLine(string value, int lineNumber)
    {
        string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4)
        {
            throw new SdpParseException(lineNumber, MediaGrammar);
        }

        string portText = parts[1];
        int? portCount = null;
        int slash = portText.IndexOf('/');
        if (slash >= 0)
        {
            if (!SdpNumbers.TryParseInt(portText[(slash + 1)..], out int count) || count < 1)
            {
                throw new SdpParseException(lineNumber, $"m= port count must be a positive number, got '{Shorten(portText)}'");
            }

            portCount = count;
            portText = portText[..slash];
        }

        if (!SdpNumbers.TryParseInt(portText, out int port) || port > 65535)
        {
            throw new SdpParseException(lineNumber, $"m= port must be a number 0-65535, got '{Shorten(portText)}'");
        }

        return new MediaDescription
        {
            Kind = parts[0],
            Port = port,
            PortCount = portCount,
            Protocol = parts[2],
            Formats = [.. parts[3..]],
        };
    }

    private static SdpAttribute ReadAttribute(string value, int lineNumber)
    {
        int colon = value.IndexOf(':');
        string name = colon < 0 ? value : value[..colon];
        string? attributeValue = colon < 0 ? null : value[(colon + 1)..];
        if (name.Length == 0 || name.Contains(' '))
        {
            throw new SdpParseException(lineNumber, $"a= line needs 'a=<name>' or 'a=<name>:<value>', got 'a={Shorten(value)}'");
        }

        string? problem = name switch
        {
            "rtpmap" => attributeValue is not null && SdpRtpMap.TryParse(attributeValue, out _) ? null : SdpRtpMap.Grammar,
            "rtcp-fb" => attributeValue is not null && SdpRtcpFb.TryParse(attributeValue, out _) ? null : SdpRtcpFb.Grammar,
            "extmap" => attributeValue is not null && SdpExtMap.TryParse(attributeValue, out _) ? null : SdpExtMap.Grammar,
            "ssrc" => attributeValue is not null && SdpSsrc.TryParse(attributeValue, out _) ? null : SdpSsrc.Grammar,
            "candidate" => attributeValue is not null && SdpCandidate.TryParse(attributeValue, out _) ? null : SdpCandidate.Grammar,
            "fingerprint" => attributeValue is not null && SdpFingerprint.TryParse(attributeValue, out _) ? null
                : "a=fingerprint needs '<hash function> <hex pairs joined by :>'",
            "setup" => attributeValue is not null && SdpSetupText.FromAttributeValue(attributeValue) is not null ? null
                : "a=setup must be actpass, active, passive or holdconn",
            "mid" => string.IsNullOrEmpty(attributeValue) || attributeValue.Contains(' ') ? "a=mid needs one identification tag" : null,
            "group" => string.IsNullOrWhiteSpace(attributeValue) ? "a=group needs '<semantics> <mid> ...'" : null,
            "fmtp" => string.IsNullOrWhiteSpace(attributeValue) ? "a=fmtp needs '<format> <parameters>'" : null,
            "ice-ufrag" or "ice-pwd" => string.IsNullOrEmpty(attributeValue) ? $"a={name} needs a value" : null,
            _ => null,
        };
        if (problem is not null)
        {
            throw new SdpParseException(lineNumber, $"{problem}, got 'a={Shorten(value)}'");
        }

        return new SdpAttribute(name, attributeValue);
    }

    /// <summary>Quotes at most 60 characters of bad input and hides control characters.</summary>
    private static string Shorten(string text)
    {
        string shown = text.Length > 60 ? text[..60] + "..." : text;
        return string.Create(shown.Length, shown, static (span, s) =>
        {
            for (int i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }
}
