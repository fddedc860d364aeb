using Mcu.Rtc.Dtls;

namespace Mcu.Fuzz.Targets;

/// <summary>
/// Datagrams from a peer into our DTLS server session, the way <see cref="Mcu.Rtc.Peer.PeerConnection"/>
/// drives it: the input is datagrams (each: 2 bytes length, bytes), only RFC 7983's DTLS range is
/// handed in, and the simulated clock moves 100 ms per datagram so resends and the handshake
/// deadline run too. Our code checks records before OpenSSL sees them and turns what OpenSSL does
/// into output and events; OpenSSL itself is native, so AFL sees our side only. Properties:
/// every datagram we send is whole DTLS records within the MTU, and a peer that cannot hold the
/// expected certificate (the fingerprint "00:11" matches none) never connects.
/// </summary>
internal static class DtlsTarget
{
    private const long StepMs = 100;

    private static readonly DtlsCertificate Certificate = DtlsCertificate.Generate();

    public static void Run(byte[] data)
    {
        using var server = new DtlsSession(DtlsRole.Server, Certificate, "00:11");
        var output = new byte[2048];
        long now = 0;
        server.Start(now);
        for (int offset = 0; offset + 2 <= data.Length;)
        {
            int length = Math.Min(data[offset] << 8 | data[offset + 1], data.Length - offset - 2);
            var datagram = data.AsSpan(offset + 2, length);
            offset += 2 + length;
            if (!datagram.IsEmpty && datagram[0] is >= 20 and <= 63)
            {
                server.HandleInput(datagram, now);
            }
            now += StepMs;
            server.HandleTimeout(now);
            Check(server, output);
        }
        server.Close();
        Check(server, output);
    }

    private static void Check(DtlsSession server, byte[] output)
    {
        while (server.TryPollOutput(output, out int length))
        {
            if (length > DtlsSessionOptions.Default.Mtu || !DtlsRecord.IsWholeRecords(output.AsSpan(0, length)))
            {
                throw new FuzzInvariantException($"sent a datagram of {length} bytes that is not whole records within the MTU");
            }
        }
        while (server.TryPollEvent(out var dtlsEvent))
        {
            if (dtlsEvent is DtlsEvent.Connected)
            {
                throw new FuzzInvariantException("connected to a peer whose certificate cannot match");
            }
        }
    }
}
