namespace Mcu.Rtc.Stun;

/// <summary>
/// The STUN attributes ICE adds (RFC 8445 §7.1.1, §16.1):
/// <code>
/// PRIORITY (0x0024): the priority a peer-reflexive candidate learnt from this check would get
///   0                   1                   2                   3
///   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |                           Priority                            |
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// USE-CANDIDATE (0x0025): no value; the controlling agent nominates this pair.
///
/// ICE-CONTROLLED (0x8029) / ICE-CONTROLLING (0x802A): the sender's role and its tie-breaker
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |                     Tie-breaker (64 bits)                     |
///  |                                                               |
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
internal static class StunIceAttributes
{
    public const int PriorityLength = 4;
    public const int UseCandidateLength = 0;
    public const int TieBreakerLength = 8;
}
