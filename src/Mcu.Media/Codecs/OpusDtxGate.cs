namespace Mcu.Media.Codecs;

/// <summary>
/// Which packets of a DTX encoder go on the wire: in silence libopus makes a TOC-only packet
/// every 20 ms and a comfort noise frame every 400 ms. The first TOC-only packet after voice is
/// sent (it tells the receiver that silence starts, not loss); the ones after it are not, so a
/// silent sender sends about one packet per 400 ms. Sequence numbers go on only for packets sent.
/// </summary>
public sealed class OpusDtxGate
{
    private bool _silent;

    /// <summary>Whether to send <paramref name="packet"/>, just encoded.</summary>
    public bool ShouldSend(ReadOnlySpan<byte> packet)
    {
        if (packet.Length <= OpusEncoder.DtxPacketMaxSize)
        {
            bool first = !_silent;
            _silent = true;
            return first;
        }
        _silent = !OpusToc.VoiceActive(packet);
        return true;
    }
}
