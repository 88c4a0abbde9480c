/**
 * TLS settings of the connections volley opens (`-k/--insecure`, `--cacert`, `--cert`/`--key`),
 * and certificate failures in words a user knows.
 *
 * A CA bundle is added to Node's own roots (Node's `ca` option replaces them, so the roots are
 * passed along). The settings are PEM text; reading the files is the caller's business.
 *
 * @module
 */
import { createSecureContext, rootCertificates, type SecureContext } from "node:tls"

/** The TLS settings of a client. */
export interface TlsSettings {
  /** Do not verify the server's certificate (test servers only). */
  readonly insecure?: boolean
  /** PEM certificates trusted besides the system's roots. */
  readonly ca?: string
  /** A client certificate (PEM); it may hold the key too. */
  readonly cert?: string
  /** The client certificate's key (PEM), when `cert` does not hold it. */
  readonly key?: string
}

/**
 * Node/undici connect options for `settings`; `{}` when there is nothing to change. A CA bundle
 * or a client certificate becomes one secure context, made once: given as `ca`/`cert` options,
 * every connection would parse the system roots and the PEM again (measured: twice the CPU and
 * memory of a TLS run with 64 connections).
 */
export const tlsConnectOptions = (settings: TlsSettings = {}): {
  rejectUnauthorized?: boolean
  secureContext?: SecureContext
} => {
  const known = contexts.get(settings)
  if (known !== undefined) return known
  const options = {
    ...(settings.insecure === true ? { rejectUnauthorized: false } : {}),
    ...(settings.ca === undefined && settings.cert === undefined
      ? {}
      : {
        secureContext: createSecureContext({
          ...(settings.ca === undefined ? {} : { ca: [...rootCertificates, settings.ca] }),
          ...(settings.cert === undefined ? {} : { cert: settings.cert, key: settings.key ?? settings.cert })
        })
      })
  }
  contexts.set(settings, options)
  return options
}

const contexts = new WeakMap<TlsSettings, ReturnType<typeof tlsConnectOptions>>()

const hint = "pass --cacert or --insecure"

/** What a certificate or handshake failure means, by its code (`host` is the server's). */
const certificateProblems: Readonly<Record<string, (host: string) => string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: (host) => `self-signed certificate for ${host}; ${hint}`,
  SELF_SIGNED_CERT_IN_CHAIN: (host) => `self-signed certificate in the chain of ${host}; ${hint}`,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: (host) => `the certificate of ${host} is signed by an unknown authority; ${hint}`,
  UNABLE_TO_GET_ISSUER_CERT: (host) => `the certificate of ${host} is signed by an unknown authority; ${hint}`,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: (host) => `the certificate of ${host} is signed by an unknown authority; ${hint}`,
  CERT_HAS_EXPIRED: (host) => `the certificate of ${host} has expired; ${hint}`,
  CERT_NOT_YET_VALID: (host) => `the certificate of ${host} is not valid yet; ${hint}`,
  CERT_REVOKED: (host) => `the certificate of ${host} has been revoked`,
  ERR_TLS_CERT_ALTNAME_INVALID: (host) => `the certificate presented is not for ${host}; ${hint}`,
  ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL: (host) => `${host} speaks only HTTP/2; pass --http2`,
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: (host) =>
    `${host} asks for a client certificate; pass --cert FILE (and --key FILE)`,
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: (host) => `${host} did not accept the client certificate`,
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: (host) => `${host} does not trust the client certificate's authority`,
  ERR_SSL_WRONG_VERSION_NUMBER: (host) => `${host} does not speak TLS on that port (try http://)`
}

/** The code of a failure, or of the failure it wraps. */
const codeOf = (cause: unknown): string | undefined => {
  for (let error: unknown = cause, depth = 0; error instanceof Error && depth < 4; depth++) {
    const code = (error as { code?: unknown }).code
    if (typeof code === "string" && code in certificateProblems) return code
    error = error.cause
  }
  return undefined
}

/**
 * A certificate or TLS handshake failure in one line of plain words, or `undefined` when the
 * failure is something else. Such failures do not heal: they are not worth retrying.
 */
export const certificateProblem = (cause: unknown, url: URL): string | undefined => {
  const code = codeOf(cause)
  return code === undefined ? undefined : `${certificateProblems[code]!(url.hostname)} (${code})`
}
