using System.Net.Sockets;
using Mcu.Rtc.Ice;

namespace Mcu.Rtc.Transport;

/// <summary>Why a TCP connection ended.</summary>
internal enum TcpCloseReason
{
    /// <summary>The peer closed it, or reset it.</summary>
    PeerClosed,

    /// <summary>A length no WebRTC peer sends, or a first frame that is not an ICE check for a session we have.</summary>
    BadInput,

    /// <summary>No valid check within <see cref="TcpTransportOptions.FirstCheckTimeout"/>.</summary>
    NoCheck,

    /// <summary>Half a frame held, or our bytes not taken, for <see cref="TcpTransportOptions.StallTimeout"/>.</summary>
    Stalled,

    /// <summary>Its session ended, it was one connection too many for its session, or the transport stopped.</summary>
    Ended,

    /// <summary>Client role: the connection to the server's candidate could not be made.</summary>
    ConnectFailed,
}

/// <summary>
/// One TCP connection of a <see cref="MediaTransport"/>, carrying RFC 4571 frames (ICE-TCP, RFC 6544).
/// Its reader is an async loop on the thread pool (no thread of its own) that hands each frame to the
/// transport's demultiplexer; its writer drains a bounded <see cref="FrameSendQueue"/> with async
/// sends, started as a thread-pool work item, so <see cref="Send"/> copies and returns and never waits
/// on the network. Whatever goes wrong on one connection closes that connection only.
/// </summary>
internal sealed class TcpLink : IThreadPoolWorkItem
{
    /// <summary>Room for a whole largest frame after any leftover part of one, and a few more to batch reads.</summary>
    private const int ReadBufferLength = 4096;
    private const long None = long.MaxValue;

    private readonly Socket _socket;
    private readonly TcpMediaPort _port;
    private readonly Lock _sendLock = new();
    private readonly FrameSendQueue _queue;
    private bool _writing;
    private int _closed;
    private long _partialSinceMs = None;
    private long _writeProgressMs;
    private volatile RtcConnection? _connection;

    public TcpLink(Socket socket, TransportAddress remote, TcpMediaPort port, int sendQueueBytes, bool accepted, long nowMs)
    {
        _socket = socket;
        _port = port;
        _queue = new FrameSendQueue(sendQueueBytes);
        Remote = remote;
        Accepted = accepted;
        OpenedAtMs = nowMs;
        _writeProgressMs = nowMs;
        // Until Start, frames queue up (a client's first checks while it connects).
        _writing = true;
    }

    /// <summary>The peer's side of the connection: the "remote address" the demultiplexer and ICE see.</summary>
    public TransportAddress Remote { get; }

    /// <summary>True when the peer connected to our listener (a passive candidate); false for our client role's own.</summary>
    public bool Accepted { get; }

    public long OpenedAtMs { get; }

    /// <summary>The session whose ICE check this connection carried; null until one authenticated.</summary>
    public RtcConnection? Connection
    {
        get => _connection;
        set => _connection = value;
    }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Starts reading, and writing what was queued meanwhile.</summary>
    public void Start()
    {
        _ = ReadLoopAsync();
        lock (_sendLock)
        {
            _writing = false;
            if (_queue.Count == 0)
            {
                return;
            }
            _writing = true;
            _writeProgressMs = _port.NowMs;
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>Queues one packet as a frame; false when closed or when the queue is full (the packet is dropped and counted).</summary>
    public bool Send(ReadOnlySpan<byte> packet)
    {
        lock (_sendLock)
        {
            if (IsClosed)
            {
                return false;
            }
            if (!_queue.TryEnqueue(packet))
            {
                _port.CountSendDrop();
                return false;
            }
            if (_writing)
            {
                return true;
            }
            _writing = true;
            _writeProgressMs = _port.NowMs;
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return true;
    }

    /// <summary>Why this connection should be closed at <paramref name="nowMs"/>, if it should.</summary>
    public TcpCloseReason? Overdue(long nowMs, long firstCheckTimeoutMs, long stallTimeoutMs)
    {
        if (Accepted && _connection is null && nowMs - OpenedAtMs >= firstCheckTimeoutMs)
        {
            return TcpCloseReason.NoCheck;
        }
        long partialSince = Volatile.Read(ref _partialSinceMs);
        if (partialSince != None && nowMs - partialSince >= stallTimeoutMs)
        {
            return TcpCloseReason.Stalled;
        }
        lock (_sendLock)
        {
            if (_writing && nowMs - _writeProgressMs >= stallTimeoutMs)
            {
                return TcpCloseReason.Stalled;
            }
        }
        return null;
    }

    /// <summary>Tells the port (counters, limits, the session), then closes the socket: pending reads and writes end. Safe to call twice.</summary>
    public void Close(TcpCloseReason reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        _port.OnClosed(this, reason);
        _socket.Dispose();
    }

    void IThreadPoolWorkItem.Execute() => _ = WriteLoopAsync();

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[ReadBufferLength];
        int filled = 0;
        try
        {
            while (!IsClosed)
            {
                int read = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                if (read == 0)
                {
                    Close(TcpCloseReason.PeerClosed);
                    return;
                }
                filled += read;
                int consumed = ReadFrames(buffer.AsSpan(0, filled));
                if (consumed < 0)
                {
                    return;
                }
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                // A stall is half a frame held with no whole one completed since.
                Volatile.Write(ref _partialSinceMs,
                    filled == 0 ? None : consumed > 0 || _partialSinceMs == None ? _port.NowMs : _partialSinceMs);
            }
        }
        catch (SocketException)
        {
            Close(TcpCloseReason.PeerClosed);
        }
        catch (ObjectDisposedException)
        {
            // closed meanwhile
        }
        catch (Exception e)
        {
            // A bug here must cost this connection only, and not leave it open and deaf.
            _port.OnFailed(this, e);
        }
    }

    /// <summary>Hands each whole frame to the transport; returns the bytes used, or -1 once the connection is closed.</summary>
    private int ReadFrames(Span<byte> bytes)
    {
        int offset = 0;
        while (true)
        {
            switch (Rfc4571Frame.TryRead(bytes[offset..], out int length))
            {
                case FrameStatus.Incomplete:
                    return offset;
                case FrameStatus.Invalid:
                    Close(TcpCloseReason.BadInput);
                    return -1;
            }
            var frame = bytes.Slice(offset + Rfc4571Frame.HeaderLength, length);
            offset += Rfc4571Frame.HeaderLength + length;
            if (!_port.Transport.OnTcpFrame(this, frame))
            {
                Close(TcpCloseReason.BadInput);
                return -1;
            }
            if (IsClosed)
            {
                return -1;
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                ReadOnlyMemory<byte> run;
                lock (_sendLock)
                {
                    if (IsClosed || !_queue.TryPeek(out run))
                    {
                        _writing = false;
                        return;
                    }
                }
                int sent = await _socket.SendAsync(run, SocketFlags.None);
                lock (_sendLock)
                {
                    _queue.Advance(sent);
                    _writeProgressMs = _port.NowMs;
                }
            }
        }
        catch (SocketException)
        {
            Close(TcpCloseReason.PeerClosed);
        }
        catch (ObjectDisposedException)
        {
            // closed meanwhile
        }
        catch (Exception e)
        {
            // A bug here must cost this connection only, and not leave it open and deaf.
            _port.OnFailed(this, e);
        }
    }
}
