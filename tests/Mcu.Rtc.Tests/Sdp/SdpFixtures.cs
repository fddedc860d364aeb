namespace Mcu.Rtc.Tests.Sdp;

/// <summary>The real offers in TestData/sdp (see /work/shared/fixtures/README.md for their origin).</summary>
internal static class SdpFixtures
{
    public const string Chromium = "chromium-156-sendrecv-offer.sdp";
    public const string GstreamerVp8 = "gstreamer-webrtcbin-vp8-opus-offer.sdp";
    public const string GstreamerH264 = "gstreamer-webrtcbin-h264-opus-offer.sdp";

    public static TheoryData<string> All => new() { Chromium, GstreamerVp8, GstreamerH264 };

    public static string Read(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "sdp", name));
}
