using System.Runtime.InteropServices;

namespace Mcu.Media.Interop;

/// <summary>Owns one <c>mcu_audio_processor</c>.</summary>
internal sealed class AudioProcessorHandle : SafeHandle
{
    public AudioProcessorHandle() : base(0, ownsHandle: true) { }
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle()
    {
        MediaNative.AudioProcessorDestroy(handle);
        return true;
    }
}

internal static partial class MediaNative
{
    [LibraryImport(Library, EntryPoint = "mcu_audio_processor_create")]
    public static partial int AudioProcessorCreate(int noiseSuppression, int autoGain, out AudioProcessorHandle processor);

    [LibraryImport(Library, EntryPoint = "mcu_audio_processor_destroy")]
    public static partial void AudioProcessorDestroy(nint processor);

    [LibraryImport(Library, EntryPoint = "mcu_audio_processor_configure")]
    public static partial int AudioProcessorConfigure(AudioProcessorHandle processor, int noiseSuppression, int autoGain);

    /// <summary>In place; 1 voice heard, 0 none, negative an error.</summary>
    [LibraryImport(Library, EntryPoint = "mcu_audio_processor_process")]
    public static partial int AudioProcessorProcess(AudioProcessorHandle processor, Span<short> pcm, int samples);
}
