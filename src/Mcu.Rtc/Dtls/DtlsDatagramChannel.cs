using System.Diagnostics;
using Org.BouncyCastle.Tls;

namespace Mcu.Rtc.Dtls;

/// <summary>
/// The <see cref="DatagramTransport"/> BouncyCastle's blocking handshake talks to. Received
/// datagrams are queued by the owner's thread (<see cref="EnqueueInput"/>) and taken by BC's
/// <see cref="Receive(Span{byte}, int)"/> on the handshake thread, which blocks on a monitor for
/// at most the time BC asks for; datagrams BC sends are queued for the owner to poll.
/// </summary>
internal sealed class DtlsDatagramChannel : DatagramTransport
{
    /// <summary>Largest datagram we hand to BC (an Ethernet MTU's worth of DTLS records).</summary>
    internal const int ReceiveLimit = 1500;

    /// <summary>
    /// Largest datagram BC may send. 1200 bytes fits a 1280-byte IPv6 minimum MTU with IP, UDP and
    /// TURN overhead, the same budget browsers use; BC fragments handshake messages to fit.
    /// </summary>
    internal const int SendLimit = 1200;

    /// <summary>
    /// A flight is at most a handful of datagrams; a peer flooding us beyond this while the
    /// handshake thread is busy loses the excess, which DTLS retransmission covers.
    /// </summary>
    private const int MaxQueuedDatagrams = 64;

    private readonly object _gate = new();
    private readonly Queue<byte[]> _input = new();
    private readonly Queue<byte[]> _output = new();
    private readonly Action _outputReady;
    private bool _closedByTls;
    private bool _aborted;

    internal DtlsDatagramChannel(Action outputReady)
    {
        _outputReady = outputReady;
    }

    /// <summary>Queues a datagram from the peer for BC; dropped when the queue is full or closed.</summary>
    internal void EnqueueInput(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return;
        }

        lock (_gate)
        {
            if (_aborted || _closedByTls || _input.Count >= MaxQueuedDatagrams)
            {
                return;
            }

            _input.Enqueue(datagram.ToArray());
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Copies the next datagram BC sent into <paramref name="destination"/>.</summary>
    internal bool TryDequeueOutput(Span<byte> destination, out int length)
    {
        lock (_gate)
        {
            if (!_output.TryPeek(out byte[]? datagram))
            {
                length = 0;
                return false;
            }

            if (datagram.Length > destination.Length)
            {
                throw new ArgumentException(
                    $"Destination holds {destination.Length} bytes; the next DTLS datagram needs {datagram.Length}.",
                    nameof(destination));
            }

            _output.Dequeue();
            datagram.CopyTo(destination);
            length = datagram.Length;
            return true;
        }
    }

    /// <summary>Wakes and fails a blocked <see cref="Receive(Span{byte}, int)"/> so the handshake thread ends.</summary>
    internal void Abort()
    {
        lock (_gate)
        {
            _aborted = true;
            Monitor.PulseAll(_gate);
        }
    }

    public int GetReceiveLimit() => ReceiveLimit;

    public int GetSendLimit() => SendLimit;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    /// <summary>
    /// Called by BC on the handshake thread. Returns the datagram length, or -1 when
    /// <paramref name="waitMillis"/> passes with nothing received (BC then retransmits its flight).
    /// A wait of zero means no limit, as in BC's own transports.
    /// </summary>
    public int Receive(Span<byte> buffer, int waitMillis)
    {
        long deadline = Environment.TickCount64 + waitMillis;
        lock (_gate)
        {
            while (_input.Count == 0)
            {
                if (_aborted || _closedByTls)
                {
                    // An IOException makes BC abandon the handshake or the receive loop.
                    throw new IOException("DTLS session closed");
                }

                if (waitMillis == 0)
                {
                    Monitor.Wait(_gate);
                    continue;
                }

                long remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                {
                    return -1;
                }

                Monitor.Wait(_gate, TimeSpan.FromMilliseconds(remaining));
            }

            byte[] datagram = _input.Dequeue();
            // BC sizes the buffer to its receive limit; a longer datagram is cut and then rejected
            // by BC's record length check, like an oversized UDP read.
            int length = Math.Min(datagram.Length, buffer.Length);
            datagram.AsSpan(0, length).CopyTo(buffer);
            return length;
        }
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    /// <summary>Called by BC: queues the datagram and tells the owner output is ready.</summary>
    public void Send(ReadOnlySpan<byte> buffer)
    {
        Debug.Assert(buffer.Length <= SendLimit, "BC fragments to the send limit");
        lock (_gate)
        {
            _output.Enqueue(buffer.ToArray());
        }

        _outputReady();
    }

    /// <summary>Called by BC when the TLS connection closes (close_notify sent or fatal alert).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closedByTls = true;
            Monitor.PulseAll(_gate);
        }
    }
}
