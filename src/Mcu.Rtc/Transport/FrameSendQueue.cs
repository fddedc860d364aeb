using System.Diagnostics;

namespace Mcu.Rtc.Transport;

/// <summary>
/// The bytes waiting to go out on one TCP connection: RFC 4571 frames in a fixed ring of bytes.
/// Senders add whole frames (or drop them when the ring is full: TCP would only deliver them late);
/// the connection's writer takes the oldest contiguous run with <see cref="TryPeek"/>, sends it
/// outside any lock, and then <see cref="Advance"/>s. Not thread-safe: the owner locks around each call.
/// The ring is made on the first frame, so a connection that never authenticates costs no buffer.
/// </summary>
/// <remarks>
/// Invariant: the bytes <c>[_head, _head + _count)</c> (modulo the capacity) are queued; a peeked run
/// stays untouched until it is advanced past, because <see cref="TryEnqueue"/> writes only outside it.
/// </remarks>
internal sealed class FrameSendQueue
{
    private readonly int _capacity;
    private byte[]? _ring;
    private int _head;
    private int _count;

    public FrameSendQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, Rfc4571Frame.HeaderLength + Rfc4571Frame.MaxPayload);
        _capacity = capacity;
    }

    public int Capacity => _capacity;

    /// <summary>Bytes queued (frames with their headers).</summary>
    public int Count => _count;

    /// <summary>Queues <paramref name="payload"/> with its length header; false (nothing queued) when it does not fit.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> payload)
    {
        int total = Rfc4571Frame.HeaderLength + payload.Length;
        if (payload.Length > ushort.MaxValue || total > _capacity - _count)
        {
            return false;
        }
        _ring ??= new byte[_capacity];
        Span<byte> header = stackalloc byte[Rfc4571Frame.HeaderLength];
        Rfc4571Frame.WriteHeader(header, payload.Length);
        Write(header);
        Write(payload);
        return true;
    }

    /// <summary>The oldest queued bytes that sit one after another in the ring (the rest follows from the start).</summary>
    public bool TryPeek(out ReadOnlyMemory<byte> run)
    {
        if (_count == 0)
        {
            run = default;
            return false;
        }
        run = _ring.AsMemory(_head, Math.Min(_count, _capacity - _head));
        return true;
    }

    /// <summary>Forgets the first <paramref name="sent"/> queued bytes: the socket took them.</summary>
    public void Advance(int sent)
    {
        Debug.Assert(sent >= 0 && sent <= _count);
        _head = (_head + sent) % _capacity;
        _count -= sent;
        if (_count == 0)
        {
            _head = 0; // keep runs long: the next frames start at the front
        }
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        var ring = _ring!;
        int tail = (_head + _count) % _capacity;
        int first = Math.Min(bytes.Length, _capacity - tail);
        bytes[..first].CopyTo(ring.AsSpan(tail));
        bytes[first..].CopyTo(ring);
        _count += bytes.Length;
    }
}
