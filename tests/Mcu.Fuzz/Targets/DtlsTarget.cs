using Mcu.Rtc.Dtls;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Mcu.Fuzz.Targets;

/// <summary>
/// DTLS record layer input to our server: <see cref="DtlsSession"/> only checks the first byte
/// (RFC 7983) and queues the datagram; records, fragments and handshake messages are parsed by
/// BouncyCastle, calling our policy (<see cref="DtlsSrtpServer"/>: use_srtp, suites, the
/// certificate check). So this runs BC's server handshake with our policy, on this thread and
/// without DtlsSession's thread, over datagrams from the input (each: 2 bytes length, bytes),
/// with a seeded random so runs repeat. When the input runs out the handshake ends as if the
/// peer went silent. scripts/fuzz.sh also instruments BC's Org.BouncyCastle.Tls namespace for
/// this target: our own code sees little of a record.
/// </summary>
internal static class DtlsTarget
{
    private static readonly DtlsCertificate Certificate = DtlsCertificate.Generate();

    public static void Run(byte[] data)
    {
        var random = SecureRandom.GetInstance("SHA256PRNG", autoSeed: false);
        random.SetSeed(42L);
        var negotiation = new DtlsSrtpNegotiation(Certificate, "00:11", DtlsSessionOptions.Default);
        var server = new DtlsSrtpServer(new BcTlsCrypto(random), negotiation);
        try
        {
            new DtlsServerProtocol().Accept(server, new InputTransport(data)).Close();
        }
        catch (TlsFatalAlert alert) when (alert.AlertDescription != AlertDescription.internal_error
            || alert.InnerException is null or IOException)
        {
            // BC refused the input with an alert: the expected end of a bad handshake.
            // internal_error around anything but I/O is BC catching an exception it did not expect.
        }
        catch (IOException)
        {
            // The input ran out (the peer went silent), or BC's own I/O refusal.
        }
    }

    /// <summary>Hands BC the input's datagrams in order, drops what BC sends.</summary>
    private sealed class InputTransport(byte[] data) : DatagramTransport
    {
        private int _offset;

        public int GetReceiveLimit() => DtlsDatagramChannel.ReceiveLimit;

        public int GetSendLimit() => DtlsDatagramChannel.SendLimit;

        public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

        public int Receive(Span<byte> buffer, int waitMillis)
        {
            if (_offset + 2 > data.Length)
            {
                throw new EndOfInputException();
            }
            int length = Math.Min(data[_offset] << 8 | data[_offset + 1], data.Length - _offset - 2);
            var datagram = data.AsSpan(_offset + 2, length);
            _offset += 2 + length;
            // As DtlsSession.HandleInput: only RFC 7983's DTLS range reaches BC, cut as a UDP read would be.
            if (datagram.IsEmpty || datagram[0] < 20 || datagram[0] > 63)
            {
                return -1;
            }
            int copied = Math.Min(datagram.Length, buffer.Length);
            datagram[..copied].CopyTo(buffer);
            return copied;
        }

        public void Send(byte[] buf, int off, int len)
        {
        }

        public void Send(ReadOnlySpan<byte> buffer)
        {
        }

        public void Close()
        {
        }
    }

    private sealed class EndOfInputException() : IOException("end of fuzz input");
}
