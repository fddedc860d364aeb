namespace Mcu.Media.Codecs;

/*
 RFC 6716 §3.1, the TOC byte, then (§4.2.3) a SILK frame's first bits:

      0 1 2 3 4 5 6 7          0 1 2 ...
     +-+-+-+-+-+-+-+-+        +-+-+-+-
     | config  |s| c |        |V|L|       V: voice activity of the first 20 ms (mono),
     +-+-+-+-+-+-+-+-+        +-+-+-      L: LBRR (in-band FEC) present

 config 0-11 SILK only, 12-15 hybrid, 16-31 CELT only; c: 0 one frame, 1 two of equal size,
 2 two sized, 3 a count follows. V and L have probability 1/2, so the range coder puts them
 at the top of the frame's first byte.
*/

/// <summary>What an Opus packet's first bytes say, read without decoding.</summary>
public static class OpusToc
{
    private const int FirstCeltConfig = 16;
    private const byte FrameCountCodeMask = 0x03;
    private const byte VoiceActivityBit = 0x80;

    /// <summary>
    /// False when the packet is SILK or hybrid and its encoder found no voice in the first frame
    /// (comfort noise during DTX is sent that way), or when it holds no frame; true otherwise
    /// (CELT frames carry no such flag).
    /// </summary>
    public static bool VoiceActive(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 2)
        {
            return false;
        }
        if (packet[0] >> 3 >= FirstCeltConfig)
        {
            return true;
        }
        // Codes 0 and 1 put the first frame right after the TOC; 2 and 3 put lengths there first.
        return (packet[0] & FrameCountCodeMask) > 1 || (packet[1] & VoiceActivityBit) != 0;
    }
}
