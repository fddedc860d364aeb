using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Media.Interop;

namespace Mcu.Media.Audio;

/// <summary>
/// One participant's cleanup before the mix, by WebRTC's AudioProcessing module: noise suppression
/// (with a high-pass filter), automatic gain towards a common level, and voice activity detection,
/// which runs whether or not the other two do. State carries from frame to frame: one per
/// participant, one thread at a time.
/// </summary>
public sealed class VoiceProcessor : IDisposable
{
    private readonly AudioProcessorHandle _handle;

    public VoiceProcessor(bool noiseSuppression, bool autoGain)
    {
        MediaCodecException.ThrowIfFailed(
            MediaNative.AudioProcessorCreate(noiseSuppression ? 1 : 0, autoGain ? 1 : 0, out _handle), "Creating the audio processor");
        NoiseSuppression = noiseSuppression;
        AutoGain = autoGain;
    }

    public bool NoiseSuppression { get; private set; }

    public bool AutoGain { get; private set; }

    /// <summary>Turns noise suppression and automatic gain on or off from the next frame.</summary>
    public void Configure(bool noiseSuppression, bool autoGain)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (noiseSuppression == NoiseSuppression && autoGain == AutoGain)
        {
            return;
        }
        MediaCodecException.ThrowIfFailed(
            MediaNative.AudioProcessorConfigure(_handle, noiseSuppression ? 1 : 0, autoGain ? 1 : 0), "Configuring the audio processor");
        NoiseSuppression = noiseSuppression;
        AutoGain = autoGain;
    }

    /// <summary>Processes one 20 ms frame (960 samples) in place; true when it heard voice in it.</summary>
    public bool Process(Span<short> frame)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (frame.Length != AudioFormat.SamplesPerFrame)
        {
            throw new ArgumentException($"frames are {AudioFormat.SamplesPerFrame} samples", nameof(frame));
        }
        int result = MediaNative.AudioProcessorProcess(_handle, frame, frame.Length);
        MediaCodecException.ThrowIfFailed(result, "Processing audio");
        return result == 1;
    }

    public void Dispose() => _handle.Dispose();
}
