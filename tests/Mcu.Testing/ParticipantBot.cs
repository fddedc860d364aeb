using System.Collections.Concurrent;
using System.Diagnostics;
using Mcu.Media.Codecs;
using Mcu.Media.Compositing;
using Mcu.Media.Frames;
using Mcu.Rtc.Client;
using Mcu.Rtc.Packetization;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Rtcp;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Sdp;
using Mcu.Rtc.Transport;

namespace Mcu.Testing;

/// <summary>
/// A participant made of our client role and the media engine: it joins over WHIP,
/// sends a solid colour and a sine tone, and keeps what it receives — the newest
/// decoded picture, the last second of decoded audio, and received frame times — for
/// tests and the bench command to judge.
/// </summary>
public sealed class ParticipantBot : IRtcConnectionHandler, IAsyncDisposable
{
    private const int MaxPayload = 1100;

    private readonly BotOptions _options;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _receiveLock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly short[] _audioHistory = new short[AudioFormat.SampleRate]; // the last second received
    private readonly ConcurrentQueue<long> _frameTimes = new();
    private readonly LossSwitch _loss;
    private WhipClient? _client;
    private Thread? _sender;
    private FrameAssembler? _assembler;
    private VideoDecoder? _decoder;
    private OpusDecoder? _opusDecoder;
    private readonly short[] _pcm = new short[OpusDecoder.MaxSamplesPerPacket];
    private VideoFrame? _latest;
    private int _audioWrite;
    private volatile bool _keyframeRequested = true;
    private long _rembBps = long.MaxValue;    // the server's last REMB; nothing asked yet

    /// <summary>What the server's REMB last asked of the bot's video, bit/s (long.MaxValue before any).</summary>
    public long RembBps => Interlocked.Read(ref _rembBps);

    /// <summary>The width of the pictures the bot sends now (it changes with REMB when <see cref="BotOptions.HonourRemb"/>).</summary>
    public int SendingWidth { get; private set; }

    /// <summary>The bitrates from which each replay size is sent: 640x360 from 400 kbit/s, 320x180 from 150, else 160x90.</summary>
    private static readonly (int Divisor, long MinBps)[] ReplaySizes = [(1, 400_000), (2, 150_000), (4, 0)];
    private int _videoPayloadType = -1, _audioPayloadType = -1, _redPayloadType = -1;
    private readonly RedBlock[] _redBlocks = new RedBlock[RedPayload.MaxBlocks];
    private int _lastAudioSeq = -1;
    private readonly Lock _sendLock = new();
    private readonly byte[][] _history = new byte[512][];
    private readonly int[] _historyLength = new int[512];
    private readonly int[] _historySeq = Enumerable.Repeat(-1, 512).ToArray();
    private readonly byte[] _resend = new byte[1600];

    private ParticipantBot(BotOptions options)
    {
        _options = options;
        Silent = options.StartSilent;
        _loss = new LossSwitch(options.LossSeed) { Uplink = options.UplinkLoss, Downlink = options.DownlinkLoss };
    }

    public string Name => _options.Name;

    public WhipClient Client => _client!;

    public long VideoFramesReceived { get; private set; }

    public long VideoFramesDecoded { get; private set; }

    public long AudioPacketsReceived { get; private set; }

    public long KeyframeRequestsReceived { get; private set; }

    /// <summary>Audio packets received as Opus in RED.</summary>
    public long RedPacketsReceived { get; private set; }

    /// <summary>Audio frames lost on the way down and played from a later RED packet's copy.</summary>
    public long AudioFramesRecoveredByRed { get; private set; }

    public long PacketsSent => Volatile.Read(ref _packetsSent);

    /// <summary>Stops (true) or resumes sending video, as a camera turned off.</summary>
    public bool VideoPaused { get; set; }

    /// <summary>The microphone sends digital silence instead of its tone (packets still flow), until set back.</summary>
    public bool Silent { get; set; }

    /// <summary>Fraction of outgoing RTP packets dropped now (starts at <see cref="BotOptions.UplinkLoss"/>).</summary>
    public double UplinkLoss
    {
        get => _loss.Uplink;
        set => _loss.Uplink = value;
    }

    /// <summary>Fraction of incoming RTP packets dropped now (starts at <see cref="BotOptions.DownlinkLoss"/>).</summary>
    public double DownlinkLoss
    {
        get => _loss.Downlink;
        set => _loss.Downlink = value;
    }

    /// <summary>Audio packets sent (DTX silence sends few).</summary>
    public long AudioPacketsSent => Volatile.Read(ref _audioPacketsSent);

    private long _audioPacketsSent;

    /// <summary>Video packets sent again because the server NACKed them.</summary>
    public long Retransmissions { get; private set; }

    private long _packetsSent;

    public static async Task<ParticipantBot> JoinAsync(HttpClient http, Uri whipEndpoint, BotOptions options, CancellationToken ct = default)
    {
        var bot = new ParticipantBot(options);
        bot._client = await WhipClient.ConnectAsync(http, whipEndpoint, bot,
            new WhipClientOptions
            {
                VideoCodec = options.VideoCodec, Direction = options.Direction, BearerToken = options.BearerToken, Protocol = options.Protocol,
                Red = options.Red, Loss = bot._loss,
            }, ct);
        var answer = bot._client.Answer;
        bot._videoPayloadType = answer.Video?.PayloadType ?? -1;
        bot._audioPayloadType = answer.Audio?.PayloadType ?? -1;
        bot._redPayloadType = answer.Audio?.RedPayloadType ?? -1;
        var codec = answer.Video?.Codec == CodecKind.H264 ? VideoCodec.H264 : VideoCodec.Vp8;
        bot._assembler = codec == VideoCodec.H264 ? H264Depacketizer.CreateAssembler() : Vp8Depacketizer.CreateAssembler();
        bot._decoder = options.DecodeVideo ? new VideoDecoder(codec) : null;
        bot._opusDecoder = new OpusDecoder();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        await bot._connected.Task.WaitAsync(timeout.Token);
        bot._sender = new Thread(bot.SendLoop) { IsBackground = true, Name = "bot " + options.Name };
        bot._sender.Start();
        return bot;
    }

    /// <summary>A copy of the newest decoded picture, or null.</summary>
    public VideoFrame? LatestPicture()
    {
        lock (_receiveLock)
        {
            if (_latest is null)
            {
                return null;
            }
            var copy = VideoFrame.Create(_latest.Width, _latest.Height);
            _latest.Buffer.AsSpan(0, VideoFrame.SizeOf(_latest.Width, _latest.Height)).CopyTo(copy.Buffer);
            return copy;
        }
    }

    /// <summary>The last <paramref name="samples"/> samples of received audio, oldest first.</summary>
    public short[] RecentAudio(int samples = 9600)
    {
        lock (_receiveLock)
        {
            var result = new short[samples];
            for (int i = 0; i < samples; i++)
            {
                result[i] = _audioHistory[(_audioWrite - samples + i + _audioHistory.Length * 2) % _audioHistory.Length];
            }
            return result;
        }
    }

    /// <summary>Video frames received per second over the last <paramref name="window"/>.</summary>
    public double ReceivedFps(TimeSpan window)
    {
        long now = _clock.ElapsedMilliseconds;
        long since = now - (long)window.TotalMilliseconds;
        int count = _frameTimes.Count(t => t >= since);
        return count / window.TotalSeconds;
    }

    public void OnStateChanged(RtcConnection connection, PeerState state)
    {
        if (state == PeerState.Connected)
        {
            _connected.TrySetResult();
        }
        else if (state is PeerState.Failed or PeerState.Closed)
        {
            _connected.TrySetException(new InvalidOperationException($"bot {Name}: {state} ({connection.Peer.FailureReason})"));
        }
    }

    public void OnRtp(RtcConnection connection, Span<byte> packet)
    {
        if (!RtpPacket.TryParse(packet, out var rtp))
        {
            return;
        }
        lock (_receiveLock)
        {
            if (rtp.PayloadType == _videoPayloadType)
            {
                if (_assembler!.Push(rtp.Payload, rtp.SequenceNumber, rtp.Timestamp, rtp.Marker) == DepacketizeResult.FrameReady)
                {
                    while (_assembler.TryTakeFrame(out var frame))
                    {
                        VideoFramesReceived++;
                        _frameTimes.Enqueue(_clock.ElapsedMilliseconds);
                        while (_frameTimes.Count > 4000 && _frameTimes.TryDequeue(out _))
                        {
                        }
                        Decode(frame);
                    }
                }
            }
            else if (rtp.PayloadType == _audioPayloadType)
            {
                AudioPacketsReceived++;
                _lastAudioSeq = rtp.SequenceNumber;
                KeepAudio(rtp.Payload);
            }
            else if (rtp.PayloadType == _redPayloadType && RedPayload.TryParse(rtp.Payload, _redBlocks, out int count))
            {
                AudioPacketsReceived++;
                RedPacketsReceived++;
                // Packets lost on the way: their copies in this one (oldest first) play before it.
                int lost = _lastAudioSeq < 0 ? 0 : (ushort)(rtp.SequenceNumber - _lastAudioSeq - 1);
                _lastAudioSeq = rtp.SequenceNumber;
                for (int b = Math.Max(0, count - 1 - lost); b < count - 1; b++)
                {
                    AudioFramesRecoveredByRed++;
                    KeepAudio(_redBlocks[b].In(rtp.Payload));
                }
                KeepAudio(_redBlocks[count - 1].In(rtp.Payload));
            }
        }
    }

    /// <summary>Decodes one Opus payload into the history of what was heard.</summary>
    private void KeepAudio(ReadOnlySpan<byte> opus)
    {
        int samples = _opusDecoder!.Decode(opus, _pcm);
        for (int i = 0; i < samples; i++)
        {
            _audioHistory[_audioWrite] = _pcm[i];
            _audioWrite = (_audioWrite + 1) % _audioHistory.Length;
        }
    }

    public void OnRtcp(RtcConnection connection, Span<byte> packet)
    {
        var reader = new RtcpCompoundReader(packet);
        while (reader.TryReadNext(out var header, out var body))
        {
            if (header.PacketType == RtcpPacketType.TransportFeedback && header.Count == RtcpPacketType.GenericNackFormat
                && GenericNack.TryParse(body, out var nack))
            {
                foreach (ushort seq in nack.GetLostSequenceNumbers())
                {
                    Resend(connection, seq);
                }
            }
            if (header.PacketType == RtcpPacketType.PayloadSpecificFeedback
                && header.Count is RtcpPacketType.PictureLossIndicationFormat or RtcpPacketType.FullIntraRequestFormat)
            {
                KeyframeRequestsReceived++;
                _keyframeRequested = true;
            }
            if (header.PacketType == RtcpPacketType.PayloadSpecificFeedback && header.Count == RtcpPacketType.ApplicationLayerFeedbackFormat
                && ReceiverEstimatedMaxBitrate.TryParse(body, out var remb))
            {
                Interlocked.Exchange(ref _rembBps, (long)Math.Min(remb.Bitrate, long.MaxValue));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _sender?.Join(TimeSpan.FromSeconds(2));
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
        lock (_receiveLock)
        {
            _latest?.Release();
            _latest = null;
            _decoder?.Dispose();
            _opusDecoder?.Dispose();
        }
    }

    private void Decode(EncodedFrame frame)
    {
        if (_decoder is null)
        {
            return;
        }
        var picture = _decoder.Decode(frame.Data, frame.Timestamp, out _);
        if (picture is not null)
        {
            VideoFramesDecoded++;
            _latest?.Release();
            _latest = picture;
        }
    }

    private void SendLoop()
    {
        var connection = _client!.Connection;
        var answer = _client.Answer;
        VideoEncoder? encoder = null;
        IRtpPacketizer? packetizer = null;
        VideoFrame? picture = null;
        (byte, byte, byte) c0 = _options.Colour ?? (0, 0, 0);
        if (_options.Colour is { } c && answer.Video is { } video && _videoPayloadType >= 0)
        {
            var codec = video.Codec == CodecKind.H264 ? VideoCodec.H264 : VideoCodec.Vp8;
            encoder = new VideoEncoder(codec, _options.Width, _options.Height, _options.FramesPerSecond, 800);
            packetizer = codec == VideoCodec.H264 ? new H264Packetizer(MaxPayload) : new Vp8Packetizer(MaxPayload);
            picture = VideoFrame.Create(_options.Width, _options.Height);
            picture.Fill(Bt601.LumaOf(c.R, c.G, c.B), Bt601.CbOf(c.R, c.G, c.B), Bt601.CrOf(c.R, c.G, c.B));
        }
        using var opus = new OpusEncoder();
        opus.SetFec(_options.FecLossPercent);
        opus.SetDtx(_options.Dtx);
        var dtx = new OpusDtxGate();
        int redPayloadType = answer.Audio?.RedPayloadType ?? -1;
        var red = _options.Red && redPayloadType >= 0 ? new RedEncoder(_audioPayloadType) : null;
        var redPayload = new byte[RedEncoder.MaxLength(MaxPayload)];
        var packet = new byte[1500];
        var payload = new byte[MaxPayload];
        var pcm = new short[AudioFormat.SamplesPerFrame];
        ushort videoSeq = 1000, audioSeq = 5000;
        long audioSamples = 0;
        long nextAudio = 0, nextVideo = 0;
        long frameMicros = 1_000_000 / _options.FramesPerSecond;
        List<byte[]>? replay = null;
        List<byte[]>[]? replays = null;
        int replayIndex = 0, replaySize = 0;
        if (encoder is not null && _options.ReplayEncodedFrames && _options.FlashEveryMs is null) // a flashing picture changes: encode it live
        {
            int sizes = _options.HonourRemb ? ReplaySizes.Length : 1;
            replays = new List<byte[]>[sizes];
            for (int s = 0; s < sizes; s++)
            {
                int divisor = ReplaySizes[s].Divisor;
                using var sized = s == 0 ? null : new VideoEncoder(encoder.Codec, _options.Width / divisor, _options.Height / divisor, _options.FramesPerSecond, 800 / divisor);
                var small = s == 0 ? picture! : VideoFrame.Create(_options.Width / divisor, _options.Height / divisor);
                if (s != 0)
                {
                    small.Fill(Bt601.LumaOf(c0.Item1, c0.Item2, c0.Item3), Bt601.CbOf(c0.Item1, c0.Item2, c0.Item3), Bt601.CrOf(c0.Item1, c0.Item2, c0.Item3));
                }
                var frames = replays[s] = [];
                for (int i = 0; i <= _options.FramesPerSecond; i++)
                {
                    (sized ?? encoder).Encode(small, i == 0, (data, _, _) => frames.Add(data.ToArray()));
                }
            }
            replay = replays[0];
            SendingWidth = _options.Width;
        }
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                long now = _clock.Elapsed.Ticks / 10;
                if ((_options.ToneHz is not null || _options.FlashEveryMs is not null) && _audioPayloadType >= 0 && now >= nextAudio)
                {
                    if (_options.ToneHz is { } hz && !Silent)
                    {
                        Signals.Sine(pcm, hz, audioSamples);
                    }
                    else
                    {
                        pcm.AsSpan().Clear();
                    }
                    AddBeep(pcm, audioSamples);
                    int length = opus.Encode(pcm, payload);
                    if (length > 0 && dtx.ShouldSend(payload.AsSpan(0, length)))
                    {
                        var sent = payload.AsSpan(0, length);
                        int type = _audioPayloadType;
                        if (red is not null)
                        {
                            sent = redPayload.AsSpan(0, red.Encode(sent, (uint)audioSamples, redPayload));
                            type = redPayloadType;
                        }
                        SendRtp(connection, packet, sent, type, audioSeq++, (uint)audioSamples, _client.AudioSsrc, marker: false);
                        Interlocked.Increment(ref _audioPacketsSent);
                    }
                    audioSamples += AudioFormat.SamplesPerFrame;
                    nextAudio += AudioFormat.FrameMillis * 1000;
                }
                if (encoder is not null && now >= nextVideo && VideoPaused)
                {
                    nextVideo += frameMicros;
                    _keyframeRequested = true; // resume with a keyframe
                }
                else if (encoder is not null && now >= nextVideo)
                {
                    uint timestamp = (uint)(nextVideo * 90 / 1000);
                    bool key = _keyframeRequested;
                    _keyframeRequested = false;
                    if (_options.FlashEveryMs is { } every)
                    {
                        var shown = IsFlashing(nextVideo) ? (255, 255, 255) : c0;
                        picture!.Fill(Bt601.LumaOf(shown.Item1, shown.Item2, shown.Item3), Bt601.CbOf(shown.Item1, shown.Item2, shown.Item3), Bt601.CrOf(shown.Item1, shown.Item2, shown.Item3));
                    }
                    picture!.TimestampMicros = nextVideo;
                    void Packetize(ReadOnlySpan<byte> data)
                    {
                        packetizer!.Begin(data);
                        while (packetizer.TryNext(payload, out int length, out bool marker))
                        {
                            SendRtp(connection, packet, payload.AsSpan(0, length), _videoPayloadType, videoSeq++, timestamp, _client.VideoSsrc, marker);
                        }
                    }
                    if (replays is not null && replays.Length > 1)
                    {
                        // The largest size the server's REMB allows; a switch starts at that size's keyframe.
                        long bps = RembBps;
                        int wanted = Array.FindIndex(ReplaySizes, r => bps >= r.MinBps);
                        if (wanted != replaySize)
                        {
                            replaySize = wanted;
                            replay = replays[wanted];
                            SendingWidth = _options.Width / ReplaySizes[wanted].Divisor;
                            key = true;
                        }
                    }
                    if (replay is not null)
                    {
                        replayIndex = key ? 0 : 1 + (replayIndex % (replay.Count - 1));
                        Packetize(replay[replayIndex]);
                    }
                    else
                    {
                        encoder.Encode(picture, key, (data, _, _) => Packetize(data));
                    }
                    nextVideo += frameMicros;
                }
                bool sendsAudio = (_options.ToneHz is not null || _options.FlashEveryMs is not null) && _audioPayloadType >= 0;
                long due = Math.Min(sendsAudio ? nextAudio : long.MaxValue, encoder is null ? long.MaxValue : nextVideo);
                // A bot that sends nothing (a viewer) just idles until it is stopped.
                long wait = due == long.MaxValue ? 20_000 : due - _clock.Elapsed.Ticks / 10;
                if (wait > 0)
                {
                    Thread.Sleep(TimeSpan.FromMicroseconds(Math.Min(wait, 1_000_000)));
                }
            }
        }
        finally
        {
            encoder?.Dispose();
        }
    }

    /// <summary>Whether the flash is on at <paramref name="micros"/> on the bot's clock.</summary>
    private bool IsFlashing(long micros) =>
        _options.FlashEveryMs is { } every && micros % (every * 1000L) < _options.FlashMs * 1000L;

    /// <summary>Adds the flash beep to the samples that fall inside a flash (the same clock as the picture).</summary>
    private void AddBeep(short[] pcm, long firstSample)
    {
        if (_options.FlashEveryMs is null)
        {
            return;
        }
        for (int i = 0; i < pcm.Length; i++)
        {
            long sample = firstSample + i;
            if (IsFlashing(sample * 1_000_000 / AudioFormat.SampleRate))
            {
                double beep = 0.3 * short.MaxValue * Math.Sin(2 * Math.PI * _options.FlashToneHz * sample / AudioFormat.SampleRate);
                pcm[i] = (short)Math.Clamp(pcm[i] + beep, short.MinValue, short.MaxValue);
            }
        }
    }

    private void SendRtp(RtcConnection connection, byte[] buffer, ReadOnlySpan<byte> payload, int payloadType, ushort seq, uint timestamp, uint ssrc, bool marker)
    {
        var header = new RtpHeader { Marker = marker, PayloadType = (byte)payloadType, SequenceNumber = seq, Timestamp = timestamp, Ssrc = ssrc };
        int headerLength = header.WriteTo(buffer);
        payload.CopyTo(buffer.AsSpan(headerLength));
        int length = headerLength + payload.Length;
        lock (_sendLock)
        {
            if (payloadType == _videoPayloadType)
            {
                // Kept in the clear (sending protects the buffer in place) to answer NACKs.
                int slot = seq % _history.Length;
                buffer.AsSpan(0, length).CopyTo(_history[slot] ??= new byte[1600]);
                _historyLength[slot] = length;
                _historySeq[slot] = seq;
            }
            if (_client!.SendRtp(buffer, length)) // unless the loss switch drops it "on the network"
            {
                Interlocked.Increment(ref _packetsSent);
            }
        }
    }

    private void Resend(RtcConnection connection, ushort seq)
    {
        lock (_sendLock)
        {
            int slot = seq % _history.Length;
            if (_historySeq[slot] != seq)
            {
                return;
            }
            Retransmissions++;
            _history[slot].AsSpan(0, _historyLength[slot]).CopyTo(_resend);
            _client!.SendRtp(_resend, _historyLength[slot]);
        }
    }

}
