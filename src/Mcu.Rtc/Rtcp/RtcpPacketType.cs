namespace Mcu.Rtc.Rtcp;

/// <summary>RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1) and feedback FMT values.</summary>
public static class RtcpPacketType
{
    public const byte SenderReport = 200;
    public const byte ReceiverReport = 201;
    public const byte SourceDescription = 202;
    public const byte Goodbye = 203;
    public const byte ApplicationDefined = 204;
    public const byte TransportFeedback = 205;
    public const byte PayloadSpecificFeedback = 206;

    /// <summary>RTPFB FMT 1, RFC 4585 §6.2.1.</summary>
    public const int GenericNackFormat = 1;
    /// <summary>RTPFB FMT 15, draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.</summary>
    public const int TransportCcFormat = 15;
    /// <summary>PSFB FMT 1, RFC 4585 §6.3.1.</summary>
    public const int PictureLossIndicationFormat = 1;
    /// <summary>PSFB FMT 4, RFC 5104 §4.3.1.</summary>
    public const int FullIntraRequestFormat = 4;
    /// <summary>PSFB FMT 15 (application layer feedback), used by REMB.</summary>
    public const int ApplicationLayerFeedbackFormat = 15;
}
