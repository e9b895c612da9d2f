/* tls_private.h — what the files of src/tls share and nobody else sees. */
#ifndef TLS_TLS_PRIVATE_H
#define TLS_TLS_PRIVATE_H
#include <stddef.h>
#include <bearssl.h>
#include "tls/tls.h"

/* The anchors as the array BearSSL's X.509 engine takes (valid as long as a). */
const br_x509_trust_anchor *tls_anchors_array(const tls_anchors *a, size_t *n);

#endif
