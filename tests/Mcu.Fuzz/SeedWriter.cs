using System.Net;
using System.Text;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Rtc.Dtls;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Packetization;
using Mcu.Rtc.Rtcp;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Srtp;

namespace Mcu.Fuzz;

/// <summary>
/// Writes the generated part of the seed corpus (`Mcu.Fuzz make-seeds DIR`): real packets made
/// by the code the other side runs (our client role, which interoperates with Chromium: ICE
/// checks, DTLS ClientHello; our RTCP writers; VP8, H.264 and Opus from the native encoders,
/// packetized as we send them). Captured offers and the layouts are copied by scripts/fuzz.sh.
/// Each seed is small: AFL works best on inputs of a few hundred bytes.
/// </summary>
internal static class SeedWriter
{
    private const int Width = 64;
    private const int Height = 48;

    public static void Write(string root)
    {
        Save(root, "stun", "rfc5769-request.bin", Convert.FromHexString(
            "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e20746573742076656374207400240004"
            + "6e0001ff80290008932ff9b151263b36000600096576746a3a6839765900000000080014"
            + "9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf"));
        Save(root, "stun", "rfc5769-response-ipv4.bin", Convert.FromHexString(
            "0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220"
            + "002000080001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7"
            + "80280004c07d4c96"));
        // The ICE check a controlling client (ours, as Chromium's) sends the server.
        using (var client = new IceControllingAgent(new IceCredentials("wxyz", "0123456789012345678901"),
                   new IceCredentials("abcd", "0123456789012345678901"), new IPEndPoint(IPAddress.Loopback, 5000), 7))
        {
            var check = new byte[IceControllingAgent.MaxRequestLength];
            if (client.TryPollTransmit(0, check, out int length))
            {
                Save(root, "stun", "ice-check.bin", check[..length]);
                Save(root, "ice-lite", "ice-check.bin", check[..length]);
            }
        }

        var vp8 = Vp8Payloads();
        var h264 = H264Payloads();
        Save(root, "vp8", "keyframe-and-delta.bin", Records(vp8));
        Save(root, "h264", "keyframe-and-delta.bin", Records(h264));
        Save(root, "jitter", "vp8-reordered.bin", [0, .. JitterRecords(vp8)]);
        Save(root, "jitter", "h264-in-order.bin", [1, .. JitterRecords(h264, reorder: false)]);
        var rtp = Rtp(vp8[0].Payload, 96, 1000, marker: false);
        Save(root, "rtp", "vp8-with-extensions.bin", rtp);
        Save(root, "rtp", "opus.bin", Rtp(OpusPackets()[0], 111, 1001, marker: true));
        // RED: the third Opus packet of a run with the two before it, as Chrome sends it.
        var red = new RedEncoder(111);
        var redPayload = new byte[RedEncoder.MaxLength(OpusEncoder.MaxPacketSize)];
        int redLength = 0;
        var opus = OpusPackets();
        for (int i = 0; i < Math.Min(3, opus.Count); i++)
        {
            redLength = red.Encode(opus[i], (uint)(960 * i), redPayload);
        }
        Save(root, "red", "opus-distance-2.bin", redPayload[..redLength]);

        var rtcp = Rtcp();
        foreach (var (name, packet) in rtcp)
        {
            Save(root, "rtcp", name + ".bin", packet);
        }
        // SRTP: plain packets to protect (mode bit 2), and packets protected with the target's key.
        foreach (byte profile in new byte[] { 0, 1 })
        {
            Save(root, "srtp", $"rtp-roundtrip-{profile}.bin", [(byte)(4 | profile), .. rtp]);
            Save(root, "srtp", $"rtcp-roundtrip-{profile}.bin", [(byte)(6 | profile), .. rtcp[0].Packet]);
            Save(root, "srtp", $"rtp-protected-{profile}.bin", [profile, .. Protect(profile, rtp, rtcp: false)]);
            Save(root, "srtp", $"rtcp-protected-{profile}.bin", [(byte)(2 | profile), .. Protect(profile, rtcp[0].Packet, rtcp: true)]);
        }
        // Picture sizes: first byte 0 an SPS NAL, 1 an Annex B access unit, 2 a VP8 frame.
        var h264Keyframe = Keyframe(VideoCodec.H264);
        Save(root, "picture-size", "h264-access-unit.bin", [1, .. h264Keyframe]);
        if (FirstSps(h264Keyframe) is { } sps)
        {
            Save(root, "picture-size", "h264-sps.bin", [0, .. sps]);
        }
        Save(root, "picture-size", "vp8-keyframe.bin", [2, .. Keyframe(VideoCodec.Vp8)[..Math.Min(64, Keyframe(VideoCodec.Vp8).Length)]]);
        var (hello, flights) = DtlsClientFlights();
        Save(root, "dtls", "client-hello.bin", hello);
        Save(root, "dtls", "client-flights.bin", flights);
        // Room tokens: first byte even = the bearer value as sent, odd = claims the target signs.
        Save(root, "room-token", "issued.bin", [0, .. Encoding.UTF8.GetBytes(Targets.TextTargets.IssueSample())]);
        Save(root, "room-token", "claims.bin", [1, .. """{"room":"room-1","role":"viewer","exp":1796000000,"nonce":"0011223344556677"}"""u8]);
    }

    private static void Save(string root, string target, string name, byte[] data)
    {
        Directory.CreateDirectory(Path.Combine(root, target));
        File.WriteAllBytes(Path.Combine(root, target, name), data);
    }

    private static List<(byte[] Payload, ushort Seq, uint Timestamp, bool Marker)> Vp8Payloads() =>
        Packetize(VideoCodec.Vp8, new Vp8Packetizer(300));

    private static List<(byte[] Payload, ushort Seq, uint Timestamp, bool Marker)> H264Payloads() =>
        Packetize(VideoCodec.H264, new H264Packetizer(300));

    /// <summary>A keyframe and a delta frame of a tiny moving picture, cut into small payloads.</summary>
    private static List<(byte[] Payload, ushort Seq, uint Timestamp, bool Marker)> Packetize(VideoCodec codec, IRtpPacketizer packetizer)
    {
        var payloads = new List<(byte[], ushort, uint, bool)>();
        using var encoder = new VideoEncoder(codec, Width, Height, 30, 200);
        var frame = VideoFrame.Create(Width, Height);
        ushort seq = 100;
        var buffer = new byte[packetizer.MaxPayloadSize];
        for (int n = 0; n < 2; n++)
        {
            frame.Fill((byte)(60 + 40 * n), 100, 150);
            frame.Y[..(Width * 8)].Fill(250);
            frame.TimestampMicros = n * 33_333;
            uint timestamp = (uint)(n * 3000);
            encoder.Encode(frame, forceKeyframe: n == 0, (data, _, _) =>
            {
                packetizer.Begin(data);
                while (packetizer.TryNext(buffer, out int length, out bool marker))
                {
                    payloads.Add((buffer[..length], seq++, timestamp, marker));
                }
            });
        }
        frame.Release();
        return payloads;
    }

    /// <summary>One keyframe of the tiny picture, as the encoder gives it (H.264: Annex B).</summary>
    private static byte[] Keyframe(VideoCodec codec)
    {
        using var encoder = new VideoEncoder(codec, Width, Height, 30, 200);
        var frame = VideoFrame.Create(Width, Height);
        frame.Fill(90, 100, 150);
        byte[] keyframe = [];
        encoder.Encode(frame, forceKeyframe: true, (data, _, _) => keyframe = data.ToArray());
        frame.Release();
        return keyframe;
    }

    /// <summary>The first SPS NAL unit (header byte included) of an Annex B access unit.</summary>
    private static byte[]? FirstSps(byte[] annexB)
    {
        for (int i = 0; i + 4 < annexB.Length; i++)
        {
            if (annexB[i] == 0 && annexB[i + 1] == 0 && annexB[i + 2] == 1 && (annexB[i + 3] & 0x1F) == 7)
            {
                int end = i + 3;
                while (end + 3 <= annexB.Length && !(annexB[end] == 0 && annexB[end + 1] == 0 && annexB[end + 2] <= 1))
                {
                    end++;
                }
                return annexB[(i + 3)..Math.Min(end, annexB.Length)];
            }
        }
        return null;
    }

    /// <summary>The record format of <c>MediaTargets.Depacketize</c>; 7 bits of timestamp are enough to tell frames apart.</summary>
    private static byte[] Records(List<(byte[] Payload, ushort Seq, uint Timestamp, bool Marker)> payloads)
    {
        var output = new List<byte>();
        foreach (var (payload, seq, timestamp, marker) in payloads)
        {
            output.AddRange([(byte)(payload.Length >> 8), (byte)payload.Length, (byte)(seq >> 8), (byte)seq,
                (byte)((timestamp / 3000) << 1 | (marker ? 1u : 0))]);
            output.AddRange(payload);
        }
        return [.. output];
    }

    /// <summary>The record format of <c>MediaTargets.JitterToFrames</c>; payloads cut to 255 bytes fit its length byte.</summary>
    private static byte[] JitterRecords(List<(byte[] Payload, ushort Seq, uint Timestamp, bool Marker)> payloads, bool reorder = true)
    {
        var order = payloads.ToList();
        if (reorder && order.Count > 2)
        {
            (order[1], order[2]) = (order[2], order[1]);
        }
        var output = new List<byte>();
        foreach (var (payload, seq, timestamp, marker) in order)
        {
            var cut = payload.Length > 255 ? payload[..255] : payload;
            output.AddRange([(byte)(seq >> 8), (byte)seq, 5, (byte)((timestamp / 3000) << 1 | (marker ? 1u : 0)), (byte)cut.Length]);
            output.AddRange(cut);
        }
        return [.. output];
    }

    private static List<byte[]> OpusPackets()
    {
        using var encoder = new OpusEncoder(32_000);
        var packets = new List<byte[]>();
        var pcm = new short[960];
        var packet = new byte[OpusEncoder.MaxPacketSize];
        for (int n = 0; n < 3; n++)
        {
            for (int i = 0; i < pcm.Length; i++)
            {
                pcm[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * (n * 960 + i) / 48_000.0));
            }
            packets.Add(packet[..encoder.Encode(pcm, packet)]);
        }
        return packets;
    }

    /// <summary>An RTP packet with the one-byte header extensions we negotiate (mid, abs-send-time, TWCC).</summary>
    private static byte[] Rtp(byte[] payload, byte payloadType, ushort seq, bool marker)
    {
        var header = new RtpHeader { PayloadType = payloadType, SequenceNumber = seq, Timestamp = 90_000, Ssrc = 0x11223344, Marker = marker };
        header.TryAddExtension(1, "0"u8);
        header.TryAddExtension(2, [0x12, 0x34, 0x56]);
        header.TryAddExtension(3, [0x00, 0x07]);
        var packet = new byte[header.SerializedLength + payload.Length];
        int length = header.WriteTo(packet);
        payload.CopyTo(packet, length);
        return packet;
    }

    private static List<(string Name, byte[] Packet)> Rtcp()
    {
        var block = new ReportBlock(0x55667788, 12, 3, 70_000, 40, 0x12345678, 900);
        var sr = new SenderReport(0x11223344, 0xE0000000_80000000, 90_000, 100, 120_000, [block]);
        var sdes = new SourceDescription(0x11223344, "mcu-cname"u8);
        var rr = new ReceiverReport(0x11223344, [block, block with { Ssrc = 0x99AABBCC }]);
        var nack = new GenericNack(0x11223344, 0x55667788, [1000, 1001, 1005, 1020, 1200]);
        var pli = new PictureLossIndication(0x11223344, 0x55667788);
        var fir = new FullIntraRequest(0x11223344, 0x55667788, 3);
        var remb = new ReceiverEstimatedMaxBitrate(0x11223344, 1_500_000, [0x55667788, 0x99AABBCC]);
        var twcc = new TransportCcFeedbackBuilder(0x11223344, 0x55667788, 1,
            [new(100, 1_000_000), new(101, 1_000_250), new(103, 1_001_000), new(104, 1_090_000)]);
        var bye = new Goodbye([0x11223344], "bye"u8);
        var buffer = new byte[2048];
        var compounds = new List<(string, byte[])>();
        int n = sr.WriteTo(buffer);
        n += sdes.WriteTo(buffer.AsSpan(n));
        compounds.Add(("sr-sdes", buffer[..n]));
        n = rr.WriteTo(buffer);
        n += nack.WriteTo(buffer.AsSpan(n));
        n += pli.WriteTo(buffer.AsSpan(n));
        compounds.Add(("rr-nack-pli", buffer[..n]));
        n = rr.WriteTo(buffer);
        n += remb.WriteTo(buffer.AsSpan(n));
        n += fir.WriteTo(buffer.AsSpan(n));
        compounds.Add(("rr-remb-fir", buffer[..n]));
        n = rr.WriteTo(buffer);
        n += twcc.WriteTo(buffer.AsSpan(n));
        n += bye.WriteTo(buffer.AsSpan(n));
        compounds.Add(("rr-twcc-bye", buffer[..n]));
        return compounds;
    }

    private static byte[] Protect(byte profile, byte[] packet, bool rtcp)
    {
        var data = new byte[packet.Length + SrtpContext.MaxOverhead];
        packet.CopyTo(data, 0);
        var p = profile == 0 ? SrtpProfile.Aes128CmHmacSha1_80 : SrtpProfile.AeadAes128Gcm;
        using var context = new SrtpContext(p, Enumerable.Range(1, 16).Select(i => (byte)i).ToArray(),
            Enumerable.Range(0x40, p == SrtpProfile.AeadAes128Gcm ? 12 : 14).Select(i => (byte)i).ToArray());
        int length;
        _ = rtcp ? context.TryProtectRtcp(data, packet.Length, out length) : context.TryProtectRtp(data, packet.Length, out length);
        return data[..length];
    }

    /// <summary>
    /// Our client role's flights from a real handshake, as the DTLS target's input (each datagram:
    /// 2 bytes length, bytes): the ClientHello alone, and the ClientHello with the client's second
    /// flight (Certificate … Finished), which the target's own server, with other keys, refuses.
    /// </summary>
    private static (byte[] Hello, byte[] Flights) DtlsClientFlights()
    {
        var serverCertificate = DtlsCertificate.Generate();
        var clientCertificate = DtlsCertificate.Generate();
        using var server = new DtlsSession(DtlsRole.Server, serverCertificate, clientCertificate.Sha256Fingerprint);
        using var client = new DtlsSession(DtlsRole.Client, clientCertificate, serverCertificate.Sha256Fingerprint);
        var flights = new List<byte[]>();
        var buffer = new byte[2048];
        server.Start(0);
        client.Start(0);
        for (int round = 0; round < 4; round++)
        {
            while (client.TryPollOutput(buffer, out int length))
            {
                flights.Add([(byte)(length >> 8), (byte)length, .. buffer[..length]]);
                server.HandleInput(buffer.AsSpan(0, length), 0);
            }
            while (server.TryPollOutput(buffer, out int length))
            {
                client.HandleInput(buffer.AsSpan(0, length), 0);
            }
        }
        if (client.State != DtlsState.Connected)
        {
            throw new InvalidOperationException("the seed handshake did not complete");
        }
        return (flights[0], flights.SelectMany(flight => flight).ToArray());
    }
}
