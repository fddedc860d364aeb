namespace Mcu.Rtc.Dtls;

/// <summary>
/// Which side of the DTLS handshake we play (RFC 5763 §5: the SDP a=setup attribute decides;
/// the MCU answers as passive, so it is the server towards participants).
/// </summary>
public enum DtlsRole
{
    Server,
    Client,
}
