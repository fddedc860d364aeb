using Mcu.Conference.Rooms;
using Microsoft.Extensions.Options;

namespace Mcu.Server.Api;

/// <summary>
/// Ends the rooms a join made (not the API) once nobody has been in them for
/// <c>Mcu:IdleRoomSeconds</c>, so a WHIP URL with a typo does not leave a room behind forever.
/// </summary>
public sealed class IdleRooms(RoomDirectory rooms, RoomCodecs codecs, IOptions<McuOptions> options, TimeProvider time, ILogger<IdleRooms> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.IdleRoomSeconds <= 0)
        {
            return; // 0: join-made rooms stay until deleted
        }
        var idle = TimeSpan.FromSeconds(options.Value.IdleRoomSeconds);
        // Look a few times per idle period, so a room ends within ~a quarter of it after the timeout.
        var period = TimeSpan.FromMilliseconds(Math.Clamp(idle.TotalMilliseconds / 4, 250, 15_000));
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (string name in rooms.CloseIdle(idle, time.GetUtcNow()))
                {
                    codecs.Forget(name);
                    Log.IdleRoomClosed(logger, name, (int)idle.TotalSeconds);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
