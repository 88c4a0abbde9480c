/**
 * Reads a response body in full, but never more than a limit: a declared `content-length` over
 * the limit fails at once, and an undeclared one fails as soon as the bytes read pass it. When
 * asked, the body's `Content-Encoding` is undone as it arrives (see `Decompression`), and the
 * limit applies to the decoded bytes too.
 *
 * @module
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { constants } from "node:buffer"
import { BodyTooLarge, connectionLost, DecodeError, type TransportError } from "../domain/FetchError.js"
import { formatSize } from "../domain/SizeText.js"
import { type DecodeFailure, makeBodyDecoder, parseContentEncoding } from "./Decompression.js"

/**
 * The most bytes a body can have and still be held as one string and written in one record:
 * V8's longest string is about 512 MiB, a binary body grows by a third as base64 and JSON
 * escapes can double text, so half of it. A larger body under a larger `--max-body` fails as
 * `BodyTooLarge` when it passes this, rather than failing to decode or encode.
 */
export const maxTextBytes: number = Math.floor(constants.MAX_STRING_LENGTH / 2)

/** The body limit in force: `--max-body`, but never more than a string can hold. */
export const effectiveBodyLimit = (limitBytes: number): number => Math.min(limitBytes, maxTextBytes)

const tooLarge = (url: string, limitBytes: number, seen: string) =>
  new BodyTooLarge({
    url,
    limitBytes,
    message: limitBytes > maxTextBytes
      ? `body is larger than the ${Math.round(maxTextBytes / 2 ** 20)} MiB a body can hold in memory (${seen})`
      : `body is larger than the ${formatSize(limitBytes)} limit (${seen})`
  })

/** The `BodyTooLarge` of a body past `limitBytes` (or past what a string can hold). */
export const bodyTooLarge = tooLarge

const lost = (url: string) => (cause: { readonly message: string }) => connectionLost(url, cause.message)

/** Reading one chunk and stopping destroys the body stream, which releases the connection. */
const dropBody = (response: HttpClientResponse.HttpClientResponse) => Effect.ignore(Stream.runHead(response.stream))

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** The body's chunks as they arrive, failing once more than `limitBytes` came. */
const limitedChunks = (
  response: HttpClientResponse.HttpClientResponse,
  url: string,
  limitBytes: number
): Stream.Stream<Uint8Array, BodyTooLarge | TransportError> => {
  const limit = effectiveBodyLimit(limitBytes)
  return response.stream.pipe(
    // A response without a body at all (204, some error pages) reads as "".
    Stream.catchTag("ResponseError", (error) => error.reason === "EmptyBody" ? Stream.empty : Stream.fail(error)),
    Stream.mapError(lost(url)),
    Stream.mapAccumEffect(0, (total, bytes: Uint8Array) => {
      const next = total + bytes.length
      return next > limit
        ? Effect.fail(tooLarge(url, limitBytes, "streamed without content-length"))
        : Effect.succeed([next, bytes] as const)
    })
  )
}

/**
 * Reads the bytes of `response`'s body, failing past `limitBytes`; with `decode`, its
 * `Content-Encoding` undone (the limit then holds for the decoded bytes as well).
 */
export const readBody = (
  response: HttpClientResponse.HttpClientResponse,
  url: string,
  limitBytes: number,
  decode: boolean
): Effect.Effect<Buffer, BodyTooLarge | TransportError | DecodeError> => {
  const declared = response.headers["content-length"]
  const limit = effectiveBodyLimit(limitBytes)
  if (declared !== undefined && Number(declared) > limit) {
    return Effect.zipRight(dropBody(response), Effect.fail(tooLarge(url, limitBytes, `content-length ${declared}`)))
  }
  const encoding = decode ? response.headers["content-encoding"] : undefined
  const codings = encoding === undefined ? undefined : parseContentEncoding(encoding)
  if (codings !== undefined && codings._tag === "Left") {
    return Effect.zipRight(
      dropBody(response),
      Effect.fail(new DecodeError({ url, message: `unsupported content-encoding '${codings.left}'` }))
    )
  }
  if (codings === undefined || codings.right.length === 0) {
    if (declared !== undefined) {
      return Effect.mapBoth(response.arrayBuffer, { onFailure: lost(url), onSuccess: (body) => Buffer.from(body) })
    }
    return Effect.map(Stream.runCollect(limitedChunks(response, url, limitBytes)), joinChunks)
  }
  const list = codings.right
  return Effect.flatMap(Deferred.make<Buffer, DecodeFailure>(), (result) => {
    const decoder = makeBodyDecoder(list, limit, url, (outcome) => Deferred.unsafeDone(result, outcome))
    const feed = limitedChunks(response, url, limitBytes).pipe(
      Stream.runForEach((bytes) => Effect.sync(() => decoder.write(asBuffer(bytes)))),
      Effect.zipRight(Effect.sync(() => decoder.end())),
      Effect.zipRight(Effect.never)
    )
    // The decoder may end first (a decoded body past the limit): then the rest is not read.
    return Effect.raceFirst(feed, Deferred.await(result)).pipe(Effect.ensuring(Effect.sync(() => decoder.destroy())))
  })
}

const joinChunks = (chunks: Chunk.Chunk<Uint8Array>): Buffer => {
  if (Chunk.size(chunks) === 1) return asBuffer(Chunk.unsafeHead(chunks))
  return Buffer.concat(Chunk.toReadonlyArray(chunks))
}
