namespace Mcu.Rtc.Sdp;

/// <summary>
/// A session description that does not follow RFC 8866 (or a known attribute's grammar).
/// The message names the 1-based line and what is wrong with it.
/// </summary>
public sealed class SdpParseException : FormatException
{
    public SdpParseException(int lineNumber, string problem)
        : base($"line {lineNumber}: {problem}")
    {
        LineNumber = lineNumber;
        Problem = problem;
    }

    /// <summary>1-based line of the offending field.</summary>
    public int LineNumber { get; }

    /// <summary>The problem without the line prefix.</summary>
    public string Problem { get; }
}
