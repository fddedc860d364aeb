/*
 * mcu_tls: DTLS-SRTP (RFC 5764) over OpenSSL 3.0 to 3.5 (Debian 12, Ubuntu 24.04,
 * Debian 13), driven without sockets, threads or clocks. A second library beside
 * mcu_media so that Mcu.Rtc loads OpenSSL only, never FFmpeg.
 *
 * The connection reads and writes memory BIOs: the caller hands in one received
 * datagram at a time and drains what OpenSSL wrote (whole DTLS records, one after
 * the other, each at most the MTU; the caller packs them into datagrams). OpenSSL's
 * retransmission timer reads the real clock, so it is switched off (its timer is an
 * hour long): the caller resends the last flight itself, on its own clock.
 *
 * Conventions, as in mcu_media.h:
 *  - Every OpenSSL struct is owned by the shim. Callers see opaque handles made by
 *    a *_create function and freed by the matching *_destroy, exactly once;
 *    *_destroy accepts NULL.
 *  - Functions returning int return 0 (or a documented count or state) on success
 *    and a negative MCU_TLS_ERROR_* on failure.
 *  - Buffers passed in are only read during the call; nothing keeps a pointer to
 *    caller memory after returning.
 *  - A handle is used by one thread at a time; different handles are independent.
 *    Every call leaves the calling thread's OpenSSL error queue empty (the .NET
 *    runtime shares it on the same thread).
 */
#ifndef MCU_TLS_H
#define MCU_TLS_H

#include <stdint.h>

#define MCU_TLS_API __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

enum mcu_tls_error {
  MCU_TLS_ERROR_ARGUMENT = -1,   /* a NULL handle, a negative size, a bad value */
  MCU_TLS_ERROR_CERTIFICATE = -2, /* the certificate or key did not load or do not match */
  MCU_TLS_ERROR_OPENSSL = -3,    /* OpenSSL refused (out of memory, unknown SRTP profile) */
  MCU_TLS_ERROR_STATE = -4,      /* not possible in the connection's state (keys before the handshake) */
};

/* ---- context: one local certificate (SSL_CTX) ------------------------------ */

typedef struct mcu_dtls_context mcu_dtls_context;

/* Makes a DTLS 1.2 context for one local certificate: `certificate` is the X.509
 * certificate, DER; `private_key` its key, PKCS#8 DER (unencrypted). Cipher suites:
 * ECDHE with AES-GCM, ChaCha20-Poly1305 or AES-CBC, for ECDSA and RSA peers (the
 * certificate decides which the server can use); no session tickets, no session
 * cache, no renegotiation, no cookie exchange (ICE already proved the address).
 * A peer certificate is required both ways. On success stores the handle in
 * *context and returns 0. Connections made from the context keep it alive: it may
 * be destroyed while they are in use. */
MCU_TLS_API int mcu_dtls_context_create(const uint8_t *certificate, int certificate_size,
                                        const uint8_t *private_key, int private_key_size,
                                        mcu_dtls_context **context);
MCU_TLS_API void mcu_dtls_context_destroy(mcu_dtls_context *context);

/* ---- connection: one DTLS association (SSL with memory BIOs) --------------- */

typedef struct mcu_dtls mcu_dtls;

enum mcu_dtls_state {
  MCU_DTLS_HANDSHAKING = 0,
  MCU_DTLS_CONNECTED = 1, /* handshake complete: SRTP profile and keys available */
  MCU_DTLS_CLOSED = 2,    /* the peer sent close_notify, or mcu_dtls_close was called */
  MCU_DTLS_FAILED = 3,    /* see mcu_dtls_failure */
};

enum mcu_dtls_failure {
  MCU_DTLS_FAILURE_NONE = 0,
  MCU_DTLS_FAILURE_FINGERPRINT = 1,    /* the peer's certificate is not the expected one */
  MCU_DTLS_FAILURE_ALERT_RECEIVED = 2, /* the peer sent a fatal alert (text: its description) */
  MCU_DTLS_FAILURE_ALERT_SENT = 3,     /* we sent a fatal alert (text: its description) */
  MCU_DTLS_FAILURE_OTHER = 4,          /* text: OpenSSL's reason */
};

/* Makes a connection. `is_server` picks the role (1: server, 0: client).
 * `srtp_profiles`: OpenSSL's use_srtp list in preference order, NUL-terminated,
 * e.g. "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80" (the server picks its most
 * preferred one that the client offers). `peer_sha256` (32 bytes, or size 0 to
 * refuse every peer): the SHA-256 of the peer certificate's DER, from the SDP
 * a=fingerprint (RFC 8122); the peer's certificate is checked against it during
 * the handshake and refused with a bad_certificate alert. `mtu`: the largest
 * datagram, at least 256; OpenSSL fragments handshake messages so that every
 * record fits. On success stores the handle in *dtls and returns 0. */
MCU_TLS_API int mcu_dtls_create(mcu_dtls_context *context, int is_server, const char *srtp_profiles,
                                const uint8_t *peer_sha256, int peer_sha256_size, int mtu,
                                mcu_dtls **dtls);
MCU_TLS_API void mcu_dtls_destroy(mcu_dtls *dtls);

/* Hands in one received datagram (size 0: none, to start a client's handshake) and
 * runs OpenSSL until it needs more input. Once connected, records are read too:
 * application data is discarded, a close_notify closes, a fatal alert fails; a
 * client's retransmitted Finished makes OpenSSL resend its final flight. Whatever
 * is written goes to the output (mcu_dtls_output_size). Returns the state after
 * the call (enum mcu_dtls_state); a closed or failed connection ignores input. */
MCU_TLS_API int mcu_dtls_handle_datagram(mcu_dtls *dtls, const uint8_t *datagram, int size);

/* Sends close_notify (into the output) if connected, and closes. Returns the state. */
MCU_TLS_API int mcu_dtls_close(mcu_dtls *dtls);

/* Bytes OpenSSL has written and the caller has not yet taken: whole records. */
MCU_TLS_API int mcu_dtls_output_size(mcu_dtls *dtls);

/* Moves up to `capacity` bytes of output into `buffer`; returns how many. */
MCU_TLS_API int mcu_dtls_take_output(mcu_dtls *dtls, uint8_t *buffer, int capacity);

/* The negotiated use_srtp profile's IANA id (1: AES128_CM_SHA1_80, 7: AEAD_AES_128_GCM),
 * or 0 if none was negotiated. Meaningful once connected. */
MCU_TLS_API int mcu_dtls_srtp_profile(mcu_dtls *dtls);

/* RFC 5764 §4.2: `size` bytes of EXTRACTOR-dtls_srtp keying material (client key,
 * server key, client salt, server salt) into `material`. Returns 0, or
 * MCU_TLS_ERROR_STATE before the handshake completed. */
MCU_TLS_API int mcu_dtls_export_srtp_keys(mcu_dtls *dtls, uint8_t *material, int size);

/* Why the connection failed (enum mcu_dtls_failure); writes the detail text into
 * `text`, always NUL-terminated when size > 0. */
MCU_TLS_API int mcu_dtls_failure(mcu_dtls *dtls, char *text, int size);

#ifdef __cplusplus
}
#endif

#endif
