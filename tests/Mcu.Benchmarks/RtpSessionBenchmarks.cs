using BenchmarkDotNet.Attributes;
using Mcu.Rtc.Rtcp;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Session;

namespace Mcu.Benchmarks;

/// <summary>
/// The RTP session's per-packet work, now all in Mcu.Rtc: a send stream making a packet (header,
/// history, counters), the session taking an incoming packet (TWCC arrival, audio statistics),
/// and a timer poll with TWCC feedback and reports due. None of it should allocate.
/// </summary>
[MemoryDiagnoser]
public class RtpSessionBenchmarks
{
    private const int TransportCcId = 3;
    private readonly byte[] _payload = new byte[1000];
    private readonly byte[] _packet = new byte[1300];
    private readonly byte[] _rtcp = new byte[1300];
    private readonly byte[] _incoming = new byte[1200];
    private RtpSendStream _send = null!;
    private RtpSession _session = null!;
    private long _micros;
    private ushort _sequence;

    [GlobalSetup]
    public void Setup()
    {
        _send = new RtpSendStream(0x5E4D, 96, 90_000, keepHistory: true);
        _session = new RtpSession(new RtpSessionOptions { Cname = "mcu", TransportCcExtensionId = TransportCcId, Remb = true })
        {
            VideoOut = _send,
        };
        var header = new RtpHeader { PayloadType = 111, SequenceNumber = 1, Timestamp = 2, Ssrc = 0xAB };
        header.TryAddExtension(TransportCcId, [0x00, 0x01]);
        header.WriteTo(_incoming);
    }

    [Benchmark]
    public int SendStreamWritesPacket()
    {
        _micros += 33_333;
        _send.TryWritePacket(_payload, _micros, marker: true, _packet, out int length);
        return length;
    }

    [Benchmark]
    public int SessionTakesAudioPacket()
    {
        _micros += 20_000;
        _sequence++;
        _incoming[2] = (byte)(_sequence >> 8);
        _incoming[3] = (byte)_sequence;
        RtpPacket.TryParse(_incoming, out var rtp);
        _session.OnRtp(rtp, audio: true, _micros);
        return rtp.SequenceNumber;
    }

    /// <summary>One 20 ms timer tick's poll after 2.5 packets: TWCC every 50 ms, reports every second.</summary>
    [Benchmark]
    public int SessionPollsRtcp()
    {
        int total = 0;
        for (int i = 0; i < 3; i++)
        {
            SessionTakesAudioPacket();
        }
        long nowMs = _micros / 1000;
        int length;
        while ((length = _session.PollRtcp(nowMs, 0x1_0000_0000UL, _micros, _rtcp)) > 0)
        {
            total += length;
        }
        return total;
    }
}
