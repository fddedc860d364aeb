using Mcu.Media.Codecs;
using Mcu.Media.Interop;

namespace Mcu.Media.Streaming;

/// <summary>The container a live stream is muxed into.</summary>
public enum StreamFormat
{
    /// <summary>FLV, for rtmp:// and rtmps://.</summary>
    Flv,

    /// <summary>MPEG-TS, for srt://.</summary>
    MpegTs,

    /// <summary>HLS: fMP4 segments and a playlist in a folder.</summary>
    Hls,
}

/// <summary>
/// One connection of a live stream: H.264 from the room's encoder (Annex-B) and the mix as
/// PCM (AAC inside), muxed by libavformat to an RTMP/SRT endpoint or HLS files. Every blocking
/// call gives up after the I/O timeout, and <see cref="Abort"/> (from any thread) ends the one in
/// progress at once, so a dead endpoint holds only the thread writing to it. A connection that
/// fails is not reused: make a new writer to reconnect. One thread at a time, but for Abort.
/// </summary>
public sealed class LiveStreamWriter : IDisposable
{
    private readonly StreamWriterHandle _handle;
    private readonly string _target;
    private bool _completed;

    /// <param name="url">rtmp://, rtmps:// or srt:// for <see cref="StreamFormat.Flv"/>/<see cref="StreamFormat.MpegTs"/>; the playlist's path for <see cref="StreamFormat.Hls"/>.</param>
    /// <param name="muxerOptions">libavformat muxer options, "key=value:key=value".</param>
    /// <param name="displayTarget">How errors name the target (a URL's key should not reach a log).</param>
    /// <exception cref="IOException">The muxer cannot be set up (e.g. an unknown protocol).</exception>
    public LiveStreamWriter(StreamFormat format, string url, int width, int height, TimeSpan ioTimeout,
        string? muxerOptions = null, string? displayTarget = null, int audioBitrateBps = 128_000)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        _target = displayTarget ?? url;
        Format = format;
        int result = MediaNative.StreamWriterCreate(MediaNative.Utf8Z(FormatName(format)), MediaNative.Utf8Z(url),
            MediaNative.Utf8Z(muxerOptions ?? ""), width, height, audioBitrateBps,
            (int)Math.Clamp(ioTimeout.TotalMilliseconds, 1, int.MaxValue), out _handle);
        if (result < 0)
        {
            _handle.Dispose();
            throw Failure("setting up", result);
        }
    }

    public StreamFormat Format { get; }

    /// <summary>Bytes handed to the connection so far (0 for HLS).</summary>
    public long BytesSent => _handle.IsClosed ? 0 : MediaNative.StreamWriterBytes(_handle);

    /// <summary>Connects (RTMP publish, SRT call). Blocks up to the I/O timeout.</summary>
    /// <exception cref="IOException">The endpoint refused, did not answer, or the writer was aborted.</exception>
    public void Open() => ThrowIfFailed(MediaNative.StreamWriterOpen(_handle), "connecting");

    /// <summary>Adds one H.264 access unit (Annex-B); the stream starts at the first keyframe. Times must increase.</summary>
    /// <exception cref="IOException">Sending failed; the connection is gone.</exception>
    public void WriteVideo(ReadOnlySpan<byte> annexB, long ptsMicros, bool keyframe) =>
        ThrowIfFailed(MediaNative.StreamWriterWriteVideo(_handle, annexB, annexB.Length, ptsMicros, keyframe ? 1 : 0), "sending video");

    /// <summary>Adds 48 kHz mono PCM, continuous from the first call after the first keyframe.</summary>
    /// <exception cref="IOException">Sending failed; the connection is gone.</exception>
    public void WriteAudio(ReadOnlySpan<short> pcm, long ptsMicros)
    {
        if (!pcm.IsEmpty)
        {
            ThrowIfFailed(MediaNative.StreamWriterWriteAudio(_handle, pcm, pcm.Length, ptsMicros), "sending audio");
        }
    }

    /// <summary>Ends the blocking call in progress (and all later ones) at once. Any thread; harmless after Dispose.</summary>
    public void Abort()
    {
        try
        {
            MediaNative.StreamWriterAbort(_handle);
        }
        catch (ObjectDisposedException)
        {
            // Already closed: nothing blocks on it any more.
        }
    }

    /// <summary>Writes the trailer and closes the connection (or the playlist, ending it).</summary>
    /// <exception cref="IOException">Finishing failed.</exception>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }
        _completed = true;
        ThrowIfFailed(MediaNative.StreamWriterFinish(_handle), "finishing");
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>The container for a target URL: FLV for rtmp/rtmps, MPEG-TS for srt; null for anything else.</summary>
    public static StreamFormat? FormatFor(Uri url) => url.Scheme switch
    {
        "rtmp" or "rtmps" => StreamFormat.Flv,
        "srt" => StreamFormat.MpegTs,
        _ => null,
    };

    private static string FormatName(StreamFormat format) => format switch
    {
        StreamFormat.Flv => "flv",
        StreamFormat.MpegTs => "mpegts",
        StreamFormat.Hls => "hls",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private void ThrowIfFailed(int result, string operation)
    {
        if (result < 0)
        {
            throw Failure(operation, result);
        }
    }

    private IOException Failure(string operation, int result) =>
        new($"Stream to {_target}: {operation} failed: {MediaNative.ErrorText(result)}", new MediaCodecException(operation, result));
}
