/**
 * volley's settings from `Config` (environment variables by default), shared by the library's
 * `Volley.layerConfig` and the CLI's flag defaults.
 *
 * | variable | default |
 * | --- | --- |
 * | `VOLLEY_CONCURRENCY` | 10 |
 * | `VOLLEY_TIMEOUT` | 30s |
 * | `VOLLEY_RETRIES` | 3 |
 * | `VOLLEY_BACKOFF` | 200ms |
 * | `VOLLEY_MAX_BACKOFF` | 30s |
 * | `VOLLEY_MAX_BODY` | 10MiB |
 * | `VOLLEY_MAX_REDIRECTS` | 5 |
 *
 * @module
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import { Defaults, defaultText } from "../domain/Defaults.js"
import { parseDuration } from "../domain/DurationText.js"
import { parseSize } from "../domain/SizeText.js"

const parsed = <A>(name: string, fallback: string, parse: (text: string) => Either.Either<A, string>) =>
  Config.string(name).pipe(
    Config.withDefault(fallback),
    Config.mapOrFail((text) => Either.mapLeft(parse(text), (reason) => ConfigError.InvalidData([name], reason)))
  )

const positive = (name: string, fallback: number, min = 1) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `must be at least ${min}`, validation: (n: number) => n >= min })
  )

export interface VolleySettings {
  readonly concurrency: number
  readonly timeout: Duration.Duration
  readonly retries: number
  readonly backoff: Duration.Duration
  readonly maxBackoff: Duration.Duration
  readonly maxBodyBytes: number
  readonly maxRedirects: number
}

/** The settings, read from `VOLLEY_*` variables (or any `ConfigProvider`). */
export const VolleyConfig: Config.Config<VolleySettings> = Config.all({
  concurrency: positive("VOLLEY_CONCURRENCY", Defaults.concurrency),
  timeout: parsed("VOLLEY_TIMEOUT", defaultText.timeout, parseDuration),
  retries: positive("VOLLEY_RETRIES", Defaults.retries, 0),
  backoff: parsed("VOLLEY_BACKOFF", defaultText.backoff, parseDuration),
  maxBackoff: parsed("VOLLEY_MAX_BACKOFF", defaultText.maxBackoff, parseDuration),
  maxBodyBytes: parsed("VOLLEY_MAX_BODY", defaultText.maxBody, parseSize),
  maxRedirects: positive("VOLLEY_MAX_REDIRECTS", Defaults.maxRedirects, 0)
})
