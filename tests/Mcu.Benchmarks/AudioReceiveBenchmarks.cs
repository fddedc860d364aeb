using BenchmarkDotNet.Attributes;
using Mcu.Conference.Receive;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Rtc.Packetization;
using Mcu.Rtc.Rtp;

namespace Mcu.Benchmarks;

/// <summary>
/// One talker's 20 ms frame on the server: the RED packet stored by the receive loop, then taken and
/// decoded by the room's tick (libopus); with a packet lost every fifth frame the loss is rebuilt from
/// the RED copy in the next one; with voice processing, noise suppression and automatic gain run on it.
/// </summary>
[MemoryDiagnoser]
public class AudioReceiveBenchmarks
{
    private const int Opus = 111;
    private const int Red = 63;
    private const int Frames = 50;
    private readonly byte[][] _packets = new byte[Frames][];
    private readonly byte[] _rtp = new byte[1500];
    private readonly short[] _pcm = new short[AudioFormat.SamplesPerFrame];
    private AudioReceiver _receiver = null!;
    private int _frame;
    private uint _round;

    [Params(0, 20)]
    public int LossPercent { get; set; }

    /// <summary>Noise suppression and automatic gain (WebRTC's AudioProcessing) on the frame too.</summary>
    [Params(false, true)]
    public bool VoiceProcessing { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var encoder = new OpusEncoder();
        var red = new RedEncoder(Opus);
        var pcm = new short[AudioFormat.SamplesPerFrame];
        var opus = new byte[OpusEncoder.MaxPacketSize];
        var payload = new byte[RedEncoder.MaxLength(OpusEncoder.MaxPacketSize)];
        for (int f = 0; f < Frames; f++)
        {
            for (int i = 0; i < pcm.Length; i++)
            {
                pcm[i] = (short)(8000 * Math.Sin(2 * Math.PI * 300 * (f * pcm.Length + i) / AudioFormat.SampleRate));
            }
            int length = encoder.Encode(pcm, opus);
            int redLength = red.Encode(opus.AsSpan(0, length), (uint)(f * pcm.Length), payload);
            _packets[f] = payload[..redLength];
        }
        _receiver = new AudioReceiver(Opus, null, null, Red);
        _receiver.SetVoiceProcessing(VoiceProcessing, VoiceProcessing);
    }

    [GlobalCleanup]
    public void Cleanup() => _receiver.Dispose();

    /// <summary>One frame in and one out, as a talker costs per audio tick.</summary>
    [Benchmark]
    public bool ReceiveAndDecodeOneFrame()
    {
        int f = _frame++ % Frames;
        if (f == 0)
        {
            _round++;
        }
        uint index = _round * Frames + (uint)f;
        bool lost = LossPercent > 0 && f % (100 / LossPercent) == 3;
        if (!lost)
        {
            var packet = _packets[f];
            int header = new RtpHeader { PayloadType = Red, SequenceNumber = (ushort)index, Timestamp = index * AudioFormat.SamplesPerFrame, Ssrc = 1 }.WriteTo(_rtp);
            packet.CopyTo(_rtp.AsSpan(header));
            RtpPacket.TryParse(_rtp.AsSpan(0, header + packet.Length), out var parsed);
            _receiver.OnRtp(parsed);
        }
        return _receiver.TryReadFrame(_pcm);
    }
}
