using Mcu.Rtc.Transport;

namespace Mcu.Rtc.Tests.Transport;

/// <summary>RFC 4571 framing: what the reader takes and refuses, and the send ring's frames read back in order.</summary>
public class TcpFramingTests
{
    [Theory]
    [InlineData(new byte[] { }, "Incomplete", 0)]
    [InlineData(new byte[] { 0x00 }, "Incomplete", 0)]
    [InlineData(new byte[] { 0x00, 0x03, 0xAA, 0xBB }, "Incomplete", 0)]
    [InlineData(new byte[] { 0x00, 0x03, 0xAA, 0xBB, 0xCC }, "Complete", 3)]
    [InlineData(new byte[] { 0x00, 0x01, 0xAA, 0xBB }, "Complete", 1)] // the next frame's first byte follows
    [InlineData(new byte[] { 0x00, 0x00 }, "Invalid", 0)]
    [InlineData(new byte[] { 0x05, 0xDC }, "Incomplete", 0)] // 1500: the largest we take
    [InlineData(new byte[] { 0x05, 0xDD }, "Invalid", 0)] // 1501: refused on its header alone
    [InlineData(new byte[] { 0xFF, 0xFF }, "Invalid", 0)]
    public void A_frame_is_whole_incomplete_or_a_length_no_peer_sends(byte[] bytes, string expected, int length)
    {
        Assert.Equal(expected, Rfc4571Frame.TryRead(bytes, out int payloadLength).ToString());
        Assert.Equal(length, payloadLength);
    }

    [Fact]
    public void Frames_queued_across_the_end_of_the_ring_come_out_whole_and_in_order()
    {
        var queue = new FrameSendQueue(4000);
        var sent = new List<byte[]>();
        var wire = new List<byte>();
        var random = new Random(7);
        for (int round = 0; round < 200; round++)
        {
            // Queue a few frames of random sizes, then let the "socket" take a random part of what is queued.
            for (int i = random.Next(1, 4); i > 0; i--)
            {
                var payload = new byte[random.Next(1, Rfc4571Frame.MaxPayload + 1)];
                random.NextBytes(payload);
                if (queue.TryEnqueue(payload))
                {
                    sent.Add(payload);
                }
            }
            if (queue.TryPeek(out var run))
            {
                int taken = random.Next(1, run.Length + 1);
                wire.AddRange(run.Span[..taken].ToArray());
                queue.Advance(taken);
            }
        }
        while (queue.TryPeek(out var rest))
        {
            wire.AddRange(rest.ToArray());
            queue.Advance(rest.Length);
        }

        var bytes = wire.ToArray().AsSpan();
        var received = new List<byte[]>();
        while (Rfc4571Frame.TryRead(bytes, out int length) == FrameStatus.Complete)
        {
            received.Add(bytes.Slice(Rfc4571Frame.HeaderLength, length).ToArray());
            bytes = bytes[(Rfc4571Frame.HeaderLength + length)..];
        }
        Assert.True(bytes.IsEmpty);
        Assert.True(sent.Count > 100, $"only {sent.Count} frames were queued");
        Assert.Equal(sent, received);
    }

    [Fact]
    public void A_full_queue_refuses_the_frame_that_does_not_fit_and_takes_one_that_does()
    {
        var queue = new FrameSendQueue(2 * (Rfc4571Frame.HeaderLength + 1000));
        Assert.True(queue.TryEnqueue(new byte[1000]));
        Assert.True(queue.TryEnqueue(new byte[1000]));
        Assert.False(queue.TryEnqueue(new byte[1]));
        Assert.Equal(queue.Capacity, queue.Count);

        Assert.True(queue.TryPeek(out var run));
        queue.Advance(Rfc4571Frame.HeaderLength + 1000);
        Assert.False(queue.TryEnqueue(new byte[1001]));
        Assert.True(queue.TryEnqueue(new byte[1000]));
    }
}
