using Mcu.Rtc.Sdp;

namespace Mcu.Rtc.Tests.Sdp;

/// <summary>Structural equality of two descriptions, field by field, for round-trip tests.</summary>
internal static class SdpAssert
{
    public static void Equal(SessionDescription expected, SessionDescription actual)
    {
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.Origin, actual.Origin);
        Assert.Equal(expected.SessionName, actual.SessionName);
        Assert.Equal(expected.Fields, actual.Fields);
        Assert.Equal(expected.Attributes, actual.Attributes);
        Assert.Equal(expected.Media.Count, actual.Media.Count);
        for (int i = 0; i < expected.Media.Count; i++)
        {
            MediaDescription e = expected.Media[i];
            MediaDescription a = actual.Media[i];
            Assert.Equal(e.Kind, a.Kind);
            Assert.Equal(e.Port, a.Port);
            Assert.Equal(e.PortCount, a.PortCount);
            Assert.Equal(e.Protocol, a.Protocol);
            Assert.Equal(e.Formats, a.Formats);
            Assert.Equal(e.Fields, a.Fields);
            Assert.Equal(e.Attributes, a.Attributes);
        }
    }
}
