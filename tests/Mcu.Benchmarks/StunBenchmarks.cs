using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Stun;

namespace Mcu.Benchmarks;

/// <summary>STUN on the server's hot path: parsing and authenticating a check, and answering it.</summary>
[MemoryDiagnoser]
public class StunBenchmarks
{
    private static readonly IPEndPoint Remote = new(IPAddress.Parse("192.0.2.10"), 50000);

    private readonly byte[] _request = new byte[IceControllingAgent.MaxRequestLength];
    private readonly byte[] _response = new byte[IceLiteAgent.MaxResponseLength];
    private readonly byte[] _transactionId = new byte[StunMessage.TransactionIdLength];
    private byte[] _key = [];
    private int _requestLength;
    private IceLiteAgent _agent = null!;
    private StunIntegrityKey _keptKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        IceCredentials server = IceCredentials.Generate();
        IceCredentials client = IceCredentials.Generate();
        _key = Encoding.UTF8.GetBytes(server.Password);
        _keptKey = new StunIntegrityKey(_key);
        _agent = new IceLiteAgent(server, client);
        using var bot = new IceControllingAgent(client, server, Remote, 1);
        bot.TryPollTransmit(0, _request, out _requestLength);
        _request.AsSpan(8, 12).CopyTo(_transactionId);
        _agent.HandleStun(_request.AsSpan(0, _requestLength), Remote, 0, _response, out _);
    }

    /// <summary>Parse a browser-like Binding request and check USERNAME, PRIORITY, MESSAGE-INTEGRITY and FINGERPRINT.</summary>
    [Benchmark]
    public bool ParseAndVerifyRequest()
    {
        return StunMessage.TryParse(_request.AsSpan(0, _requestLength), out StunMessage message)
            && message.TryGetUsername(out _)
            && message.TryGetPriority(out _)
            && message.VerifyMessageIntegrity(_key)
            && message.VerifyFingerprint();
    }

    /// <summary>As <see cref="ParseAndVerifyRequest"/>, with a <see cref="StunIntegrityKey"/> kept keyed.</summary>
    [Benchmark]
    public bool ParseAndVerifyRequestKeptKey()
    {
        return StunMessage.TryParse(_request.AsSpan(0, _requestLength), out StunMessage message)
            && message.TryGetUsername(out _)
            && message.TryGetPriority(out _)
            && message.VerifyMessageIntegrity(_keptKey)
            && message.VerifyFingerprint();
    }

    /// <summary>Parse only (no HMAC, no CRC).</summary>
    [Benchmark]
    public bool ParseOnly() => StunMessage.TryParse(_request.AsSpan(0, _requestLength), out _);

    /// <summary>Write a Binding success response: XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT.</summary>
    [Benchmark]
    public int WriteBindingResponse()
    {
        var writer = new StunMessageWriter(_response, StunMethod.Binding, StunClass.SuccessResponse, _transactionId);
        writer.WriteXorMappedAddress(Remote);
        writer.WriteMessageIntegrity(_key);
        writer.WriteFingerprint();
        return writer.Length;
    }

    /// <summary>As <see cref="WriteBindingResponse"/>, with a <see cref="StunIntegrityKey"/> kept keyed.</summary>
    [Benchmark]
    public int WriteBindingResponseKeptKey()
    {
        var writer = new StunMessageWriter(_response, StunMethod.Binding, StunClass.SuccessResponse, _transactionId);
        writer.WriteXorMappedAddress(Remote);
        writer.WriteMessageIntegrity(_keptKey);
        writer.WriteFingerprint();
        return writer.Length;
    }

    /// <summary>The whole server-side handling of a consent check on the selected pair.</summary>
    [Benchmark]
    public int LiteAgentAnswersCheck()
    {
        _agent.HandleStun(_request.AsSpan(0, _requestLength), Remote, 1, _response, out int length);
        return length;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _agent.Dispose();
        _keptKey.Dispose();
    }
}
