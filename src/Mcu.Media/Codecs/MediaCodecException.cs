using Mcu.Media.Interop;

namespace Mcu.Media.Codecs;

/// <summary>A native codec call failed; <see cref="NativeError"/> is FFmpeg's negative AVERROR code.</summary>
public sealed class MediaCodecException : Exception
{
    public MediaCodecException(string operation, int nativeError)
        : base($"{operation} failed: {MediaNative.ErrorText(nativeError)} ({nativeError})")
    {
        NativeError = nativeError;
    }

    public int NativeError { get; }

    internal static void ThrowIfFailed(int result, string operation)
    {
        if (result < 0)
        {
            throw new MediaCodecException(operation, result);
        }
    }
}
