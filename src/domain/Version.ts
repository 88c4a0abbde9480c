/**
 * volley's version, as `--version` prints it and as the default `User-Agent` sends it.
 *
 * @module
 */
export const version = "0.1.0"

/** Sent unless the request sets its own: many APIs refuse requests without a User-Agent. */
export const userAgent = `volley/${version}`
