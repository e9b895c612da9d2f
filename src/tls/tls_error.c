/* tls_error.c — reason codes of a failed TLS stream (BearSSL errors, TLS
 * alerts, our own refinements) in words a person can act on. */
#include "tls/tls.h"
#include <bearssl.h>

/* TLS alert numbers and names (RFC 5246, 7301, 8446). */
#define TLS_ALERTS(X) \
	X(0, "close_notify") \
	X(10, "unexpected_message") \
	X(20, "bad_record_mac") \
	X(21, "decryption_failed") \
	X(22, "record_overflow") \
	X(30, "decompression_failure") \
	X(40, "handshake_failure (no cipher suite or parameters in common)") \
	X(41, "no_certificate") \
	X(42, "bad_certificate") \
	X(43, "unsupported_certificate") \
	X(44, "certificate_revoked") \
	X(45, "certificate_expired") \
	X(46, "certificate_unknown") \
	X(47, "illegal_parameter") \
	X(48, "unknown_ca") \
	X(49, "access_denied") \
	X(50, "decode_error") \
	X(51, "decrypt_error") \
	X(60, "export_restriction") \
	X(70, "protocol_version (TLS 1.2 not accepted)") \
	X(71, "insufficient_security (no strong enough cipher suite in common)") \
	X(80, "internal_error") \
	X(86, "inappropriate_fallback") \
	X(90, "user_canceled") \
	X(100, "no_renegotiation") \
	X(109, "missing_extension") \
	X(110, "unsupported_extension") \
	X(112, "unrecognized_name (server does not serve this host name)") \
	X(113, "bad_certificate_status_response") \
	X(115, "unknown_psk_identity") \
	X(116, "certificate_required (server wants a client certificate)") \
	X(120, "no_application_protocol (server refuses http/1.1 via ALPN)")

static const char *alert_received(int a)
{
	switch (a) {
#define RECV(n, s) case n: return "server sent fatal alert: " s;
	TLS_ALERTS(RECV)
#undef RECV
	default: return "server sent a fatal alert (unknown alert number)";
	}
}

static const char *alert_sent(int a)
{
	switch (a) {
#define SENT(n, s) case n: return "handshake aborted by us with alert: " s;
	TLS_ALERTS(SENT)
#undef SENT
	default: return "handshake aborted by us with an alert";
	}
}

const char *tls_error_str(int code)
{
	if (code >= BR_ERR_RECV_FATAL_ALERT && code < BR_ERR_RECV_FATAL_ALERT + 256)
		return alert_received(code - BR_ERR_RECV_FATAL_ALERT);
	if (code >= BR_ERR_SEND_FATAL_ALERT && code < BR_ERR_SEND_FATAL_ALERT + 256)
		return alert_sent(code - BR_ERR_SEND_FATAL_ALERT);
	switch (code) {
	case BR_ERR_OK: return "no error";
	case BR_ERR_BAD_PARAM: return "internal error: bad TLS engine parameter";
	case BR_ERR_BAD_STATE: return "internal error: bad TLS engine state";
	case BR_ERR_UNSUPPORTED_VERSION: return "server does not support TLS 1.2";
	case BR_ERR_BAD_VERSION: return "server sent a record with an unexpected protocol version";
	case BR_ERR_BAD_LENGTH: return "server sent a record with an invalid length";
	case BR_ERR_TOO_LARGE: return "server sent a record larger than the maximum size";
	case BR_ERR_BAD_MAC: return "record integrity check failed (bad MAC or padding)";
	case BR_ERR_NO_RANDOM: return "no source of randomness available";
	case BR_ERR_UNKNOWN_TYPE: return "server sent a record of unknown type";
	case BR_ERR_UNEXPECTED: return "server sent an unexpected message (protocol violation)";
	case BR_ERR_BAD_CCS: return "server sent an invalid ChangeCipherSpec";
	case BR_ERR_BAD_ALERT: return "server sent a malformed alert";
	case BR_ERR_BAD_HANDSHAKE: return "server sent a malformed handshake message";
	case BR_ERR_OVERSIZED_ID: return "server sent an oversized session ID";
	case BR_ERR_BAD_CIPHER_SUITE: return "server chose a cipher suite that was not offered";
	case BR_ERR_BAD_COMPRESSION: return "server chose a compression method that was not offered";
	case BR_ERR_BAD_FRAGLEN: return "server sent an invalid maximum fragment length";
	case BR_ERR_BAD_SECRENEG: return "secure renegotiation check failed";
	case BR_ERR_EXTRA_EXTENSION: return "server sent an extension that was not requested";
	case BR_ERR_BAD_SNI: return "invalid server name indication";
	case BR_ERR_BAD_HELLO_DONE: return "server sent an invalid ServerHelloDone";
	case BR_ERR_LIMIT_EXCEEDED: return "server handshake exceeds an internal limit";
	case BR_ERR_BAD_FINISHED: return "handshake Finished message did not verify";
	case BR_ERR_RESUME_MISMATCH: return "server resumed a session with different parameters";
	case BR_ERR_INVALID_ALGORITHM: return "server used an unsupported or invalid algorithm";
	case BR_ERR_BAD_SIGNATURE: return "server key exchange signature did not verify";
	case BR_ERR_WRONG_KEY_USAGE: return "server certificate key cannot be used for the chosen key exchange";
	case BR_ERR_NO_CLIENT_AUTH: return "server requires a client certificate";
	case BR_ERR_IO: return "transport I/O error";
	case BR_ERR_X509_INVALID_VALUE:
	case BR_ERR_X509_TRUNCATED:
	case BR_ERR_X509_EMPTY_CHAIN:
	case BR_ERR_X509_INNER_TRUNC:
	case BR_ERR_X509_BAD_TAG_CLASS:
	case BR_ERR_X509_BAD_TAG_VALUE:
	case BR_ERR_X509_INDEFINITE_LENGTH:
	case BR_ERR_X509_EXTRA_ELEMENT:
	case BR_ERR_X509_UNEXPECTED:
	case BR_ERR_X509_NOT_CONSTRUCTED:
	case BR_ERR_X509_NOT_PRIMITIVE:
	case BR_ERR_X509_PARTIAL_BYTE:
	case BR_ERR_X509_BAD_BOOLEAN:
	case BR_ERR_X509_OVERFLOW:
		return "server certificate is malformed";
	case BR_ERR_X509_BAD_DN: return "certificate has an invalid distinguished name";
	case BR_ERR_X509_BAD_TIME: return "certificate has an invalid validity date";
	case BR_ERR_X509_UNSUPPORTED: return "certificate uses an unsupported algorithm or feature";
	case BR_ERR_X509_LIMIT_EXCEEDED: return "certificate chain exceeds an internal limit";
	case BR_ERR_X509_WRONG_KEY_TYPE: return "certificate key type does not match its signature";
	case BR_ERR_X509_BAD_SIGNATURE: return "certificate signature does not verify";
	case BR_ERR_X509_TIME_UNKNOWN: return "current time unknown: cannot check certificate dates";
	case BR_ERR_X509_EXPIRED: return "certificate has expired or is not yet valid";
	case BR_ERR_X509_DN_MISMATCH: return "certificate chain is broken (issuer name mismatch)";
	case BR_ERR_X509_BAD_SERVER_NAME: return "certificate is not valid for this host name (hostname mismatch)";
	case BR_ERR_X509_CRITICAL_EXTENSION: return "certificate has an unsupported critical extension";
	case BR_ERR_X509_NOT_CA: return "certificate chain has an issuer that is not a CA";
	case BR_ERR_X509_FORBIDDEN_KEY_USAGE: return "certificate key usage does not allow TLS server use";
	case BR_ERR_X509_WEAK_PUBLIC_KEY: return "certificate key is too weak (RSA under 2048 bits)";
	case BR_ERR_X509_NOT_TRUSTED: return "certificate is not trusted (chain does not lead to a trusted CA)";
	case TLS_E_EXPIRED: return "certificate has expired";
	case TLS_E_NOT_YET_VALID: return "certificate is not yet valid";
	case TLS_E_SELF_SIGNED: return "self-signed certificate (not trusted)";
	case TLS_E_UNKNOWN_CA: return "certificate issued by an unknown CA (not trusted)";
	case TLS_E_IP_MISMATCH: return "certificate is not valid for this IP address (no matching IP SAN)";
	case TLS_E_EOF_HANDSHAKE: return "server closed the connection during the TLS handshake";
	case TLS_E_CHAIN_DATES: return "a CA certificate in the chain has expired or is not yet valid";
	default: return "unknown TLS error";
	}
}
