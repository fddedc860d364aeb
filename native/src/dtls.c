/* DTLS-SRTP over OpenSSL with memory BIOs (see include/mcu_tls.h). */
#include "mcu_tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* ECDHE only (RFC 8827 §6.5 asks for forward secrecy), AEAD first. The ECDSA suites serve our
 * own certificate; the RSA ones let our client role talk to a server with an RSA certificate. */
static const char cipher_list[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA";

/* RFC 5764 §4.2. */
static const char srtp_exporter_label[] = "EXTRACTOR-dtls_srtp";

/* OpenSSL's DTLS timer reads gettimeofday; an hour-long timer never fires in a handshake,
 * so OpenSSL never retransmits by itself and the caller's clock decides (µs, fits 32 bits). */
static const unsigned int timer_off_us = 3600u * 1000000u;

#define SHA256_SIZE 32

struct mcu_dtls_context {
  SSL_CTX *ctx;
};

struct mcu_dtls {
  SSL *ssl; /* owns both memory BIOs */
  BIO *input;
  BIO *output;
  unsigned char peer_sha256[SHA256_SIZE];
  int has_peer_sha256;
  int state;
  int failure;
  char failure_text[128];
};

static void set_failure(mcu_dtls *dtls, int failure, const char *text) {
  if (dtls->failure != MCU_DTLS_FAILURE_NONE) {
    return; /* the first reason is the real one: a refused certificate also sends an alert */
  }
  dtls->failure = failure;
  snprintf(dtls->failure_text, sizeof dtls->failure_text, "%s", text ? text : "");
}

static void fail(mcu_dtls *dtls) {
  unsigned long error = ERR_peek_error();
  const char *reason = error ? ERR_reason_error_string(error) : NULL;
  set_failure(dtls, MCU_DTLS_FAILURE_OTHER, reason ? reason : "OpenSSL failed without a reason");
  dtls->state = MCU_DTLS_FAILED;
}

/* Replaces chain verification: WebRTC has no PKI, the certificate is the one whose
 * SHA-256 the SDP carried (RFC 8122 §5), or it is refused (bad_certificate). */
static int check_peer_certificate(X509_STORE_CTX *store, void *unused) {
  (void)unused;
  SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
  mcu_dtls *dtls = ssl ? SSL_get_app_data(ssl) : NULL;
  X509 *certificate = X509_STORE_CTX_get0_cert(store);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (dtls == NULL || certificate == NULL
      || !X509_digest(certificate, EVP_sha256(), digest, &digest_size)) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_UNSPECIFIED);
    return 0;
  }
  if (!dtls->has_peer_sha256 || digest_size != SHA256_SIZE
      || CRYPTO_memcmp(digest, dtls->peer_sha256, SHA256_SIZE) != 0) {
    set_failure(dtls, MCU_DTLS_FAILURE_FINGERPRINT, "the peer's certificate does not match the SDP fingerprint");
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    return 0;
  }
  return 1;
}

static void on_info(const SSL *ssl, int where, int value) {
  if (!(where & SSL_CB_ALERT)) {
    return;
  }
  mcu_dtls *dtls = SSL_get_app_data(ssl);
  int level = (value >> 8) & 0xff;
  if (dtls == NULL || level != SSL3_AL_FATAL) {
    return; /* close_notify and warnings: SSL_read reports the close */
  }
  if (where & SSL_CB_READ) {
    set_failure(dtls, MCU_DTLS_FAILURE_ALERT_RECEIVED, SSL_alert_desc_string_long(value));
    return;
  }
  /* OpenSSL raises its error before it sends the alert: say both, "handshake failure (no shared cipher)". */
  unsigned long error = ERR_peek_last_error();
  const char *reason = error ? ERR_reason_error_string(error) : NULL;
  char text[sizeof dtls->failure_text];
  if (reason != NULL) {
    snprintf(text, sizeof text, "%s (%s)", SSL_alert_desc_string_long(value), reason);
  } else {
    snprintf(text, sizeof text, "%s", SSL_alert_desc_string_long(value));
  }
  set_failure(dtls, MCU_DTLS_FAILURE_ALERT_SENT, text);
}

static unsigned int timer_off(SSL *ssl, unsigned int previous_us) {
  (void)ssl;
  (void)previous_us;
  return timer_off_us;
}

MCU_TLS_API int mcu_dtls_context_create(const uint8_t *certificate, int certificate_size,
                                        const uint8_t *private_key, int private_key_size,
                                        mcu_dtls_context **context) {
  if (certificate == NULL || certificate_size <= 0 || private_key == NULL || private_key_size <= 0
      || context == NULL) {
    return MCU_TLS_ERROR_ARGUMENT;
  }
  *context = NULL;
  ERR_clear_error();
  int result = MCU_TLS_ERROR_OPENSSL;
  X509 *x509 = NULL;
  PKCS8_PRIV_KEY_INFO *pkcs8 = NULL;
  EVP_PKEY *key = NULL;
  mcu_dtls_context *made = calloc(1, sizeof *made);
  if (made == NULL || (made->ctx = SSL_CTX_new(DTLS_method())) == NULL) {
    goto done;
  }
  SSL_CTX *ctx = made->ctx;
  if (!SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION)
      || !SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION)
      || !SSL_CTX_set_cipher_list(ctx, cipher_list)) {
    goto done;
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_QUERY_MTU
                               | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
  SSL_CTX_set_cert_verify_callback(ctx, check_peer_certificate, NULL);

  result = MCU_TLS_ERROR_CERTIFICATE;
  const unsigned char *cursor = certificate;
  x509 = d2i_X509(NULL, &cursor, certificate_size);
  if (x509 == NULL || cursor != certificate + certificate_size) {
    goto done;
  }
  cursor = private_key;
  pkcs8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &cursor, private_key_size);
  if (pkcs8 == NULL || cursor != private_key + private_key_size
      || (key = EVP_PKCS82PKEY(pkcs8)) == NULL) {
    goto done;
  }
  if (SSL_CTX_use_certificate(ctx, x509) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1
      || SSL_CTX_check_private_key(ctx) != 1) {
    goto done;
  }
  *context = made;
  made = NULL;
  result = 0;

done:
  if (made != NULL) {
    SSL_CTX_free(made->ctx);
    free(made);
  }
  EVP_PKEY_free(key);
  PKCS8_PRIV_KEY_INFO_free(pkcs8);
  X509_free(x509);
  ERR_clear_error();
  return result;
}

MCU_TLS_API void mcu_dtls_context_destroy(mcu_dtls_context *context) {
  if (context != NULL) {
    SSL_CTX_free(context->ctx);
    free(context);
  }
}

MCU_TLS_API int mcu_dtls_create(mcu_dtls_context *context, int is_server, const char *srtp_profiles,
                                const uint8_t *peer_sha256, int peer_sha256_size, int mtu,
                                mcu_dtls **dtls) {
  if (context == NULL || srtp_profiles == NULL || dtls == NULL || mtu < 256
      || (peer_sha256_size != 0 && peer_sha256_size != SHA256_SIZE)
      || (peer_sha256_size != 0 && peer_sha256 == NULL)) {
    return MCU_TLS_ERROR_ARGUMENT;
  }
  *dtls = NULL;
  ERR_clear_error();
  mcu_dtls *made = calloc(1, sizeof *made);
  if (made == NULL || (made->ssl = SSL_new(context->ctx)) == NULL) {
    free(made);
    ERR_clear_error();
    return MCU_TLS_ERROR_OPENSSL;
  }
  SSL *ssl = made->ssl;
  made->input = BIO_new(BIO_s_mem());
  made->output = BIO_new(BIO_s_mem());
  if (made->input == NULL || made->output == NULL) {
    BIO_free(made->input);
    BIO_free(made->output);
    SSL_free(ssl);
    free(made);
    ERR_clear_error();
    return MCU_TLS_ERROR_OPENSSL;
  }
  /* An empty BIO means "no more for now", not end of file. */
  BIO_set_mem_eof_return(made->input, -1);
  BIO_set_mem_eof_return(made->output, -1);
  SSL_set_bio(ssl, made->input, made->output);
  SSL_set_app_data(ssl, made);
  SSL_set_info_callback(ssl, on_info);
  DTLS_set_timer_cb(ssl, timer_off);
  if (peer_sha256_size == SHA256_SIZE) {
    memcpy(made->peer_sha256, peer_sha256, SHA256_SIZE);
    made->has_peer_sha256 = 1;
  }
  /* SSL_set_tlsext_use_srtp returns 0 on success. */
  if (SSL_set_tlsext_use_srtp(ssl, srtp_profiles) != 0 || !DTLS_set_link_mtu(ssl, mtu)) {
    SSL_free(ssl);
    free(made);
    ERR_clear_error();
    return MCU_TLS_ERROR_OPENSSL;
  }
  if (is_server) {
    SSL_set_accept_state(ssl);
  } else {
    SSL_set_connect_state(ssl);
  }
  made->state = MCU_DTLS_HANDSHAKING;
  *dtls = made;
  return 0;
}

MCU_TLS_API void mcu_dtls_destroy(mcu_dtls *dtls) {
  if (dtls != NULL) {
    SSL_free(dtls->ssl);
    free(dtls);
  }
}

/* Reads records after the handshake: alerts, close_notify, a retransmitted Finished. */
static void read_records(mcu_dtls *dtls) {
  unsigned char discard[2048]; /* no data channels: application data has no reader */
  for (;;) {
    int read = SSL_read(dtls->ssl, discard, sizeof discard);
    if (read > 0) {
      continue;
    }
    switch (SSL_get_error(dtls->ssl, read)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      return;
    case SSL_ERROR_ZERO_RETURN:
      dtls->state = MCU_DTLS_CLOSED;
      return;
    default:
      fail(dtls);
      return;
    }
  }
}

MCU_TLS_API int mcu_dtls_handle_datagram(mcu_dtls *dtls, const uint8_t *datagram, int size) {
  if (dtls == NULL || size < 0 || (size > 0 && datagram == NULL)) {
    return MCU_TLS_ERROR_ARGUMENT;
  }
  if (dtls->state == MCU_DTLS_CLOSED || dtls->state == MCU_DTLS_FAILED) {
    return dtls->state;
  }
  ERR_clear_error();
  if (size > 0 && BIO_write(dtls->input, datagram, size) != size) {
    fail(dtls);
    ERR_clear_error();
    return dtls->state;
  }
  if (dtls->state == MCU_DTLS_HANDSHAKING) {
    int done = SSL_do_handshake(dtls->ssl);
    if (done == 1) {
      dtls->state = MCU_DTLS_CONNECTED;
    } else {
      int error = SSL_get_error(dtls->ssl, done);
      if (error == SSL_ERROR_ZERO_RETURN) {
        dtls->state = MCU_DTLS_CLOSED; /* close_notify before the handshake completed */
      } else if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
        fail(dtls);
      }
    }
  }
  if (dtls->state == MCU_DTLS_CONNECTED) {
    /* The datagram may hold more records after the Finished that completed the handshake. */
    read_records(dtls);
  }
  /* OpenSSL reads one datagram per BIO read; nothing of this one may leak into the next. */
  (void)BIO_reset(dtls->input);
  ERR_clear_error();
  return dtls->state;
}

MCU_TLS_API int mcu_dtls_close(mcu_dtls *dtls) {
  if (dtls == NULL) {
    return MCU_TLS_ERROR_ARGUMENT;
  }
  ERR_clear_error();
  if (dtls->state == MCU_DTLS_CONNECTED) {
    (void)SSL_shutdown(dtls->ssl);
  }
  if (dtls->state != MCU_DTLS_FAILED) {
    dtls->state = MCU_DTLS_CLOSED;
  }
  ERR_clear_error();
  return dtls->state;
}

MCU_TLS_API int mcu_dtls_output_size(mcu_dtls *dtls) {
  if (dtls == NULL) {
    return MCU_TLS_ERROR_ARGUMENT;
  }
  size_t pending = BIO_ctrl_pending(dtls->output);
  return pending > (size_t)0x7fffffff ? 0x7fffffff : (int)pending;
}

MCU_TLS_API int mcu_dtls_take_output(mcu_dtls *dtls, uint8_t *buffer, int capacity) {
  if (dtls == NULL || buffer == NULL || capacity < 0) {
    return MCU_TLS_ERROR_ARGUMENT;
  }
  if (capacity == 0 || BIO_ctrl_pending(dtls->output) == 0) {
    return 0;
  }
  int read = BIO_read(dtls->output, buffer, capacity);
  ERR_clear_error();
  return read > 0 ? read : 0;
}

MCU_TLS_API int mcu_dtls_srtp_profile(mcu_dtls *dtls) {
  if (dtls == NULL) {
    return MCU_TLS_ERROR_ARGUMENT;
  }
  SRTP_PROTECTION_PROFILE *profile = SSL_get_selected_srtp_profile(dtls->ssl);
  return profile != NULL ? (int)profile->id : 0;
}

MCU_TLS_API int mcu_dtls_export_srtp_keys(mcu_dtls *dtls, uint8_t *material, int size) {
  if (dtls == NULL || material == NULL || size <= 0) {
    return MCU_TLS_ERROR_ARGUMENT;
  }
  if (!SSL_is_init_finished(dtls->ssl)) {
    return MCU_TLS_ERROR_STATE;
  }
  ERR_clear_error();
  int exported = SSL_export_keying_material(dtls->ssl, material, (size_t)size, srtp_exporter_label,
                                            sizeof srtp_exporter_label - 1, NULL, 0, 0);
  ERR_clear_error();
  return exported == 1 ? 0 : MCU_TLS_ERROR_OPENSSL;
}

MCU_TLS_API int mcu_dtls_failure(mcu_dtls *dtls, char *text, int size) {
  if (dtls == NULL) {
    return MCU_TLS_ERROR_ARGUMENT;
  }
  if (text != NULL && size > 0) {
    snprintf(text, (size_t)size, "%s", dtls->failure_text);
  }
  return dtls->failure;
}
