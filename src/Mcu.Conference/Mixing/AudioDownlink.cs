using Mcu.Rtc.Session;
using Mcu.Rtc.Packetization;
using Mcu.Rtc.Transport;

namespace Mcu.Conference.Mixing;

/// <summary>
/// The mixed audio on its way to a participant who negotiated Opus in RED (RFC 2198): every packet
/// is RED, with copies of the two packets before it (the downlink is half of what a listener loses)
/// from the start until <see cref="QuietReportsOff"/> receiver reports in a row show no loss, then
/// the primary alone until a report shows loss again. The copies cost about twice the audio bitrate,
/// so they go only where they help. Sends on the room's audio tick; reports arrive on the receive loop.
/// </summary>
internal sealed class AudioDownlink
{
    /// <summary>A report with at least this fraction lost turns the copies on.</summary>
    public const double LossOn = 0.01;

    /// <summary>Reports in a row without loss that turn the copies off again.</summary>
    public const int QuietReportsOff = 10;

    private readonly RtpSendStream _sender;
    private readonly RedEncoder _red;
    private readonly byte[] _packet = new byte[RedEncoder.MaxLength(Media.Codecs.OpusEncoder.MaxPacketSize)];
    private int _quietReports; // copies from the start, until reports say the way is clean

    /// <param name="sender">The participant's audio stream, whose payload type is RED's.</param>
    /// <param name="opusPayloadType">The payload type of the Opus blocks inside.</param>
    public AudioDownlink(RtpSendStream sender, int opusPayloadType)
    {
        _sender = sender;
        _red = new RedEncoder(opusPayloadType);
    }

    /// <summary>Whether packets now carry copies of the ones before.</summary>
    public bool Repeating => Volatile.Read(ref _quietReports) < QuietReportsOff;

    /// <summary>A receiver report block about this stream (fraction lost 0..1).</summary>
    public void OnLossReport(double fractionLost)
    {
        int quiet = fractionLost >= LossOn ? 0 : Math.Min(Volatile.Read(ref _quietReports) + 1, QuietReportsOff);
        Volatile.Write(ref _quietReports, quiet);
    }

    public bool Send(RtcConnection connection, ReadOnlySpan<byte> opus, long mediaMicros) =>
        _sender.Send(connection, Wrap(opus, mediaMicros), mediaMicros, marker: false);

    /// <summary>The RED payload for <paramref name="opus"/> sent at <paramref name="mediaMicros"/>; valid until the next call.</summary>
    internal ReadOnlySpan<byte> Wrap(ReadOnlySpan<byte> opus, long mediaMicros)
    {
        int length = _red.Encode(opus, _sender.TimestampFor(mediaMicros), _packet, Repeating ? RedEncoder.MaxDistance : 0);
        return _packet.AsSpan(0, length);
    }
}
