using Mcu.Media.Codecs;
using Mcu.Media.Interop;

namespace Mcu.Media.Recording;

/// <summary>
/// Writes a room recording as fragmented MP4 (a new fragment at every video keyframe,
/// so a crash loses at most the fragment being written): H.264 from the layout
/// encoder in Annex-B, and the mixed audio as PCM, encoded to AAC inside.
/// The file starts at the first keyframe carrying SPS/PPS; anything earlier is
/// dropped, and timestamps are shifted so the file starts at 0. Force a keyframe
/// every few seconds to bound the fragment size. One thread at a time.
/// </summary>
public sealed class Mp4Writer : IDisposable
{
    private readonly Mp4WriterHandle _handle;
    private bool _completed;

    /// <exception cref="IOException">The file cannot be created (folder missing, not writable...).</exception>
    public Mp4Writer(string path, int width, int height, int audioBitrateBps = 64000)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        int result = MediaNative.Mp4WriterCreate(MediaNative.Utf8Z(path), width, height, audioBitrateBps,
            out _handle);
        if (result < 0)
        {
            _handle.Dispose();
            throw new IOException($"Cannot create recording '{path}': {MediaNative.ErrorText(result)}",
                new MediaCodecException("Opening the MP4 file", result));
        }
    }

    public string Path { get; }

    /// <summary>Adds one H.264 access unit (Annex-B). Timestamps must increase.</summary>
    /// <exception cref="IOException">Writing failed (e.g. disk full).</exception>
    public void WriteVideo(ReadOnlySpan<byte> annexB, long ptsMicros, bool keyframe)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        ThrowIfFailed(MediaNative.Mp4WriterWriteVideo(_handle, annexB, annexB.Length, ptsMicros, keyframe ? 1 : 0),
            "writing video");
    }

    /// <summary>
    /// Adds 48 kHz mono PCM of any length. Audio is taken as continuous: the first
    /// call after the first keyframe anchors the track at its timestamp.
    /// </summary>
    /// <exception cref="IOException">Writing failed (e.g. disk full).</exception>
    public void WriteAudio(ReadOnlySpan<short> pcm, long ptsMicros)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (pcm.IsEmpty)
        {
            return;
        }
        ThrowIfFailed(MediaNative.Mp4WriterWriteAudio(_handle, pcm, pcm.Length, ptsMicros), "writing audio");
    }

    /// <summary>Writes the last fragment and the trailer and closes the file, reporting failures.</summary>
    /// <exception cref="IOException">Finishing the file failed.</exception>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (_completed)
        {
            return;
        }
        _completed = true;
        ThrowIfFailed(MediaNative.Mp4WriterFinish(_handle), "finishing");
    }

    /// <summary>Completes the file if <see cref="Complete"/> was not called (errors then go unreported).</summary>
    public void Dispose() => _handle.Dispose();

    private void ThrowIfFailed(int result, string operation)
    {
        if (result < 0)
        {
            throw new IOException($"Recording '{Path}': {operation} failed: {MediaNative.ErrorText(result)}",
                new MediaCodecException(operation, result));
        }
    }
}
