namespace Mcu.Rtc.Srtp;

/// <summary>
/// RFC 5764 §4.2: splits the keying material exported from DTLS ("EXTRACTOR-dtls_srtp") into
/// client_write_key | server_write_key | client_write_salt | server_write_salt.
/// </summary>
public readonly struct SrtpKeys
{
    public static int MasterKeyLength(SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => SrtpAesCmTransform.KeyLength,
        SrtpProfile.AeadAes128Gcm => SrtpAesGcmTransform.KeyLength,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "Unsupported SRTP profile."),
    };

    public static int MasterSaltLength(SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => SrtpAesCmTransform.SaltLength,
        SrtpProfile.AeadAes128Gcm => SrtpAesGcmTransform.SaltLength,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "Unsupported SRTP profile."),
    };

    /// <summary>2 * (key + salt): 60 for AES-CM, 56 for AES-GCM.</summary>
    public static int KeyingMaterialLength(SrtpProfile profile) => 2 * (MasterKeyLength(profile) + MasterSaltLength(profile));

    /// <summary>
    /// Creates the context that protects what we send (Local) and the one that unprotects what
    /// the peer sends (Remote). The DTLS server writes with the server keys.
    /// </summary>
    public static (SrtpContext Local, SrtpContext Remote) CreateContexts(SrtpProfile profile, ReadOnlySpan<byte> keyingMaterial, bool isDtlsServer)
    {
        int keyLength = MasterKeyLength(profile);
        int saltLength = MasterSaltLength(profile);
        if (keyingMaterial.Length != KeyingMaterialLength(profile))
        {
            throw new ArgumentException($"Keying material must be {KeyingMaterialLength(profile)} bytes.", nameof(keyingMaterial));
        }

        ReadOnlySpan<byte> clientKey = keyingMaterial[..keyLength];
        ReadOnlySpan<byte> serverKey = keyingMaterial.Slice(keyLength, keyLength);
        ReadOnlySpan<byte> clientSalt = keyingMaterial.Slice(2 * keyLength, saltLength);
        ReadOnlySpan<byte> serverSalt = keyingMaterial.Slice((2 * keyLength) + saltLength, saltLength);

        var client = new SrtpContext(profile, clientKey, clientSalt);
        SrtpContext server;
        try
        {
            server = new SrtpContext(profile, serverKey, serverSalt);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return isDtlsServer ? (server, client) : (client, server);
    }
}
