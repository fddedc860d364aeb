using System.Buffers;
using System.Diagnostics;

namespace Mcu.Rtc.Packetization;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}"/> and reused frame after frame, so that
/// assembling frames allocates nothing once it has grown to the largest frame seen.
/// Invariant: <c>0 &lt;= Length &lt;= MaxLength</c> and <c>Length &lt;= _array.Length</c>.
/// </summary>
public sealed class FrameBuffer
{
    private byte[] _array;
    private int _length;

    public FrameBuffer(int initialCapacity, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, initialCapacity);
        _array = ArrayPool<byte>.Shared.Rent(initialCapacity);
        MaxLength = maxLength;
    }

    /// <summary>Appends beyond this fail, so garbage input cannot grow the buffer without bound.</summary>
    public int MaxLength { get; }

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _length);

    public void Clear() => _length = 0;

    public bool TryAppend(ReadOnlySpan<byte> data)
    {
        if (!TryGetSpan(data.Length, out var destination))
        {
            return false;
        }
        data.CopyTo(destination);
        _length += data.Length;
        return true;
    }

    public bool TryAppend(byte value)
    {
        if (!TryGetSpan(1, out var destination))
        {
            return false;
        }
        destination[0] = value;
        _length++;
        return true;
    }

    /// <summary>Appends the 4-byte Annex-B start code 00 00 00 01.</summary>
    public bool TryAppendStartCode()
    {
        if (!TryGetSpan(4, out var destination))
        {
            return false;
        }
        destination[0] = 0;
        destination[1] = 0;
        destination[2] = 0;
        destination[3] = 1;
        _length += 4;
        return true;
    }

    private bool TryGetSpan(int count, out Span<byte> destination)
    {
        if (count > MaxLength - _length)
        {
            destination = default;
            return false;
        }
        int needed = _length + count;
        if (needed > _array.Length)
        {
            Grow(needed);
        }
        destination = _array.AsSpan(_length, count);
        return true;
    }

    private void Grow(int needed)
    {
        int size = (int)Math.Min((uint)MaxLength, Math.Max((uint)needed, 2u * (uint)_array.Length));
        var larger = ArrayPool<byte>.Shared.Rent(size);
        _array.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = larger;
        Debug.Assert(_array.Length >= needed);
    }
}
