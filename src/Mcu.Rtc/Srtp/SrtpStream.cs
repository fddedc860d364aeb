namespace Mcu.Rtc.Srtp;

/// <summary>Cryptographic state of one SSRC within an <see cref="SrtpContext"/>.</summary>
internal sealed class SrtpStream
{
    private const int HalfSequenceSpace = 32768;

    public uint RolloverCounter;
    public ushort HighestSequence;
    public bool HasSequence;
    public ReplayWindow RtpReplay;
    public uint NextRtcpIndex;
    public ReplayWindow RtcpReplay;

    /// <summary>
    /// RFC 3711 §3.3.1 / Appendix A: guesses the ROC of <paramref name="sequence"/> from the
    /// highest sequence number seen, allowing reordering of up to half the sequence space.
    /// </summary>
    public uint EstimateRolloverCounter(ushort sequence)
    {
        if (!HasSequence)
        {
            return RolloverCounter;
        }

        if (HighestSequence < HalfSequenceSpace)
        {
            // A late packet from before the last wrap; with ROC 0 there is no earlier cycle.
            return sequence - HighestSequence > HalfSequenceSpace && RolloverCounter > 0
                ? RolloverCounter - 1
                : RolloverCounter;
        }

        return HighestSequence - HalfSequenceSpace > sequence ? RolloverCounter + 1 : RolloverCounter;
    }

    /// <summary>Advances ROC and highest sequence after a packet is accepted.</summary>
    public void Update(uint rolloverCounter, ushort sequence)
    {
        if (!HasSequence || rolloverCounter > RolloverCounter)
        {
            RolloverCounter = rolloverCounter;
            HighestSequence = sequence;
            HasSequence = true;
        }
        else if (rolloverCounter == RolloverCounter && sequence > HighestSequence)
        {
            HighestSequence = sequence;
        }
    }

    public static ulong PacketIndex(uint rolloverCounter, ushort sequence) => ((ulong)rolloverCounter << 16) | sequence;
}
