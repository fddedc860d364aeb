namespace Mcu.Rtc.Sdp;

/// <summary>
/// A well-formed description we cannot agree with: no codec we can mix, no ICE credentials,
/// no fingerprint, no BUNDLE where we need one.
/// </summary>
public sealed class SdpNegotiationException(string message) : Exception(message);
