/**
 * Reads a response body in full, but never more than a limit: a declared `content-length` over
 * the limit fails at once, and an undeclared one fails as soon as the bytes read pass it.
 *
 * @module
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { constants } from "node:buffer"
import { BodyTooLarge, TransportError } from "../domain/FetchError.js"

/**
 * The most bytes a body can have and still be held as one string: V8's longest string is about
 * 512 MiB, and UTF-8 never has fewer bytes than characters. A larger body under a larger
 * `--max-body` fails as `BodyTooLarge` when it passes this, rather than failing to decode.
 */
export const maxTextBytes: number = constants.MAX_STRING_LENGTH

/** The body limit in force: `--max-body`, but never more than a string can hold. */
export const effectiveBodyLimit = (limitBytes: number): number => Math.min(limitBytes, maxTextBytes)

const tooLarge = (url: string, limitBytes: number, seen: string) =>
  new BodyTooLarge({
    url,
    limitBytes,
    message: limitBytes > maxTextBytes
      ? `body is larger than the ${Math.round(maxTextBytes / 2 ** 20)} MiB a body can hold in memory (${seen})`
      : `body is larger than the ${formatBytes(limitBytes)} limit (${seen})`
  })

/** The `BodyTooLarge` of a body past `limitBytes` (or past what a string can hold). */
export const bodyTooLarge = tooLarge

const lost = (url: string) => (cause: { readonly message: string }) =>
  new TransportError({ url, message: `connection lost while reading the body: ${cause.message}` })

/** Reads the body of `response` as UTF-8 text, failing past `limitBytes`. */
export const readBodyText = (
  response: HttpClientResponse.HttpClientResponse,
  url: string,
  limitBytes: number
): Effect.Effect<string, BodyTooLarge | TransportError> => {
  const limit = effectiveBodyLimit(limitBytes)
  const declared = response.headers["content-length"]
  if (declared !== undefined) {
    const length = Number(declared)
    if (length > limit) {
      // Reading one chunk and stopping destroys the body stream, which releases the connection.
      return Stream.runHead(response.stream).pipe(
        Effect.ignore,
        Effect.zipRight(Effect.fail(tooLarge(url, limitBytes, `content-length ${declared}`)))
      )
    }
    return Effect.mapError(response.text, lost(url))
  }
  return response.stream.pipe(
    // A response without a body at all (204, some error pages) reads as "".
    Stream.catchTag("ResponseError", (error) => error.reason === "EmptyBody" ? Stream.empty : Stream.fail(error)),
    Stream.mapError(lost(url)),
    Stream.mapAccumEffect(0, (total, bytes: Uint8Array) => {
      const next = total + bytes.length
      return next > limit
        ? Effect.fail(tooLarge(url, limitBytes, "streamed without content-length"))
        : Effect.succeed([next, bytes] as const)
    }),
    Stream.runCollect,
    Effect.map(decodeChunks)
  )
}

const decodeChunks = (chunks: Chunk.Chunk<Uint8Array>): string => {
  const decoder = new TextDecoder()
  let text = ""
  for (const bytes of chunks) text += decoder.decode(bytes, { stream: true })
  return text + decoder.decode()
}

/** `10MiB`-style rendering for messages. */
export const formatBytes = (bytes: number): string => {
  const units = ["B", "KiB", "MiB", "GiB"] as const
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1 && value % 1024 === 0) {
    value /= 1024
    unit++
  }
  return `${value}${units[unit]}`
}
