using Mcu.Rtc.Peer;
using Mcu.Rtc.Transport;

namespace Mcu.Rtc.Tests.Transport;

/// <summary>A connection handler that ignores everything: for tests about the transport itself.</summary>
internal sealed class QuietHandler : IRtcConnectionHandler
{
    public void OnStateChanged(RtcConnection connection, PeerState state) { }
    public void OnRtp(RtcConnection connection, Span<byte> packet) { }
    public void OnRtcp(RtcConnection connection, Span<byte> packet) { }
}
