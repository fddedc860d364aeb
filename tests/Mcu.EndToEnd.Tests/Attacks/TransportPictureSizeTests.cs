using System.Buffers.Binary;
using Mcu.Conference.Rooms;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>
/// A VP8 keyframe that declares 16000x16000 used to be decoded (~400 MB) and scaled on the
/// room's video thread. It is refused from its header now (Mcu:MaxInputWidth/Height, default
/// 1920x1080), counted and announced, and the sender shows its placeholder.
/// </summary>
public sealed class TransportPictureSizeTests : IClassFixture<TransportServerFixture>
{
    private readonly TransportServerFixture _server;

    public TransportPictureSizeTests(TransportServerFixture server) => _server = server;

    [Fact]
    public async Task A_keyframe_declaring_16000x16000_is_refused_counted_and_announced()
    {
        using var http = _server.CreateClient();
        await using var bystanders = await Bystanders.JoinAsync(http, _server.BaseAddress, "huge-picture", TransportServerFixture.AdminKey);
        Assert.True(_server.Services.GetRequiredService<RoomDirectory>().TryGet("huge-picture", out var room));
        var events = new List<RoomEvent>();
        room.Changed += e => { lock (events) events.Add(e); };
        await using var attacker = await TransportClient.JoinAsync(http, _server.Whip("huge-picture", "huge"));
        var inRoom = room.Participants.Single(p => p.DisplayName == "huge");

        // A real 160x96 keyframe with its size fields (RFC 6386 §9.1) rewritten.
        byte[] keyframe = EncodeKeyframe();
        BinaryPrimitives.WriteUInt16LittleEndian(keyframe.AsSpan(6), 16000);
        BinaryPrimitives.WriteUInt16LittleEndian(keyframe.AsSpan(8), 16000);
        uint timestamp = 90_000;
        for (int i = 0; i < 20; i++)
        {
            attacker.SendVp8Frame(keyframe, timestamp += 9000);
            await Task.Delay(100);
        }

        var stats = await Eventually.Get(() => Task.FromResult(inRoom.GetStats()), s => s.VideoPicturesTooLarge >= 20,
            TimeSpan.FromSeconds(5), "the oversize keyframes counted");
        Assert.Equal(0, stats.VideoFramesDecoded);
        lock (events)
        {
            // Announced once, not once per keyframe.
            var refused = events.Where(e => e.Type == RoomEventType.ParticipantUpdated && e.ParticipantId == inRoom.Id).ToList();
            Assert.Single(refused);
            Assert.Equal("videoTooLarge:16000x16000", refused[0].Detail);
        }
        await bystanders.AssertUnharmedAsync();
    }

    private static byte[] EncodeKeyframe()
    {
        byte[]? keyframe = null;
        using var encoder = new VideoEncoder(VideoCodec.Vp8, 160, 96, 30, 300);
        var picture = VideoFrame.Create(160, 96);
        picture.Fill(80, 90, 200);
        encoder.Encode(picture, true, (data, _, _) => keyframe ??= data.ToArray());
        picture.Release();
        return keyframe!;
    }
}
