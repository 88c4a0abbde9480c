/**
 * `Content-Encoding` decoding: what volley offers (`Accept-Encoding`) and how a body that came
 * encoded is turned back into its bytes — `gzip` / `x-gzip`, `deflate` (zlib-wrapped or raw, as
 * servers send both), `br`, `zstd` where the runtime's zlib has it, and stacks of them
 * (`Content-Encoding: gzip, br` is undone right to left).
 *
 * The decoded size is bounded by the body limit (`--max-body`) while decoding, not after: a
 * small body that inflates to gigabytes (a "gzip bomb") stops at the limit. Small bodies (the
 * common case: a few KiB of JSON) are decoded in one synchronous zlib call, bounded by zlib's
 * own `maxOutputLength`, which costs less than a stream; a body larger than `streamAbove` on the
 * wire is decoded as it arrives, by a chain of zlib streams, and its output is counted chunk by
 * chunk, so neither the whole encoded body nor more than the limit of decoded bytes is ever
 * held. Both transports use this one module, so they cannot disagree.
 *
 * node:zlib does the decoding (the codecs themselves are not volley's business).
 *
 * @module
 */
import * as Either from "effect/Either"
import { constants as bufferConstants } from "node:buffer"
import { Transform, type TransformCallback } from "node:stream"
import * as zlib from "node:zlib"
import { messageOf } from "../domain/ErrorText.js"
import { BodyTooLarge, DecodeError } from "../domain/FetchError.js"
import { formatSize } from "../domain/SizeText.js"

/** zlib's zstd decoder, when this Node has one (22.15+; not 20). */
const zstd = zlib as unknown as {
  readonly zstdDecompressSync?: (buffer: Buffer, options?: zlib.ZlibOptions) => Buffer
  readonly createZstdDecompress?: () => Transform
}
const hasZstd = typeof zstd.zstdDecompressSync === "function" && typeof zstd.createZstdDecompress === "function"

/** The codings volley can undo, in the order it offers them. */
export const supportedCodings: ReadonlyArray<string> = hasZstd
  ? ["gzip", "deflate", "br", "zstd"]
  : ["gzip", "deflate", "br"]

/** The `Accept-Encoding` volley sends unless told otherwise. */
export const acceptEncoding: string = supportedCodings.join(", ")

/** One coding of a `Content-Encoding` list. */
export type Coding = "gzip" | "deflate" | "br" | "zstd"

/**
 * The codings of a `Content-Encoding` value, in the order they were applied (`identity`
 * dropped), or the first one volley cannot undo.
 */
export const parseContentEncoding = (value: string): Either.Either<ReadonlyArray<Coding>, string> => {
  // A run sees one or two values ("gzip", "br") again and again: each is parsed once.
  let parsed = parsedEncodings.get(value)
  if (parsed === undefined) {
    parsed = parseCodings(value)
    if (parsedEncodings.size < 64) parsedEncodings.set(value, parsed)
  }
  return parsed
}

const parsedEncodings = new Map<string, Either.Either<ReadonlyArray<Coding>, string>>()

const parseCodings = (value: string): Either.Either<ReadonlyArray<Coding>, string> => {
  const codings: Array<Coding> = []
  for (const part of value.split(",")) {
    const name = part.trim().toLowerCase()
    if (name === "" || name === "identity") continue
    if (name === "gzip" || name === "x-gzip") codings.push("gzip")
    else if (name === "deflate") codings.push("deflate")
    else if (name === "br") codings.push("br")
    else if (name === "zstd" && hasZstd) codings.push("zstd")
    else return Either.left(name)
  }
  return Either.right(codings)
}

/**
 * Whether a `deflate` body is zlib-wrapped (RFC 1950, what the RFC says `deflate` is) rather
 * than raw (RFC 1951, what some servers send): a zlib header is CM=8 and a multiple of 31.
 */
const isZlibWrapped = (bytes: Uint8Array): boolean =>
  bytes.length >= 2 && (bytes[0]! & 0x0f) === 8 && ((bytes[0]! << 8) | bytes[1]!) % 31 === 0

/** The largest buffer Node can make: zlib's `maxOutputLength` may not be more. */
const maxBuffer = bufferConstants.MAX_LENGTH

/** How a body's decoding failed. */
export type DecodeFailure = BodyTooLarge | DecodeError

const tooLarge = (url: string, limitBytes: number) =>
  new BodyTooLarge({
    url,
    limitBytes,
    message: `decoded body is larger than the ${formatSize(limitBytes)} limit`
  })

const invalid = (url: string, encoding: string, cause: unknown) =>
  new DecodeError({
    url,
    message: `body is not valid ${encoding}: ${messageOf(cause)}`
  })

/**
 * zlib's output buffer for a body: zlib writes its output into buffers of `chunkSize` (16 KiB by
 * default) and keeps them; for the common small body, one buffer the size of the output spares
 * the allocation (and the garbage) of a mostly empty one. A gzip body ends with its size (ISIZE,
 * modulo 2^32); for the other codings, a guess from the encoded size.
 */
const chunkSizeFor = (coding: Coding, input: Buffer): number => {
  const guess = coding === "gzip" && input.length >= 18 ? input.readUInt32LE(input.length - 4) + 1 : input.length * 4
  return Math.min(zlib.constants.Z_DEFAULT_CHUNK, Math.max(zlib.constants.Z_MIN_CHUNK, guess))
}

/** Undoes one coding in one call; zlib stops (and throws) past `maxOutputLength`. */
const decodeSync = (coding: Coding, input: Buffer, maxOutputLength: number): Buffer => {
  const options = { maxOutputLength, chunkSize: chunkSizeFor(coding, input) }
  switch (coding) {
    case "gzip":
      // Several gzip members one after another are one body (zlib reads them all).
      return zlib.gunzipSync(input, options)
    case "deflate":
      return isZlibWrapped(input) ? zlib.inflateSync(input, options) : zlib.inflateRawSync(input, options)
    case "br":
      return zlib.brotliDecompressSync(input, options)
    case "zstd":
      return zstd.zstdDecompressSync!(input, options)
  }
}

/** A stream undoing one coding. */
const decodeStream = (coding: Coding): Transform => {
  switch (coding) {
    case "gzip":
      return zlib.createGunzip()
    case "deflate":
      return new AutoInflate()
    case "br":
      return zlib.createBrotliDecompress()
    case "zstd":
      return zstd.createZstdDecompress!()
  }
}

/** `deflate` as a stream: zlib-wrapped or raw, decided on the first two bytes. */
class AutoInflate extends Transform {
  private inner: zlib.Inflate | zlib.InflateRaw | undefined
  private head: Buffer | undefined

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.inner === undefined) {
      const bytes = this.head === undefined ? chunk : Buffer.concat([this.head, chunk])
      if (bytes.length < 2) {
        this.head = bytes
        return callback()
      }
      this.head = undefined
      const inner = isZlibWrapped(bytes) ? zlib.createInflate() : zlib.createInflateRaw()
      inner.on("data", (data: Buffer) => this.push(data))
      inner.on("error", (error) => this.destroy(error))
      this.inner = inner
      inner.write(bytes, () => callback())
      return
    }
    this.inner.write(chunk, () => callback())
  }

  override _flush(callback: TransformCallback): void {
    const inner = this.inner ?? zlib.createInflateRaw()
    if (this.inner === undefined) {
      inner.on("data", (data: Buffer) => this.push(data))
      inner.on("error", (error) => this.destroy(error))
      if (this.head !== undefined) inner.write(this.head)
    }
    inner.once("end", () => callback())
    inner.end()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.inner?.destroy()
    callback(error)
  }
}

/** Bodies up to this many encoded bytes are decoded in one call at the end. */
export const streamAbove = 64 * 1024

/**
 * Decodes one body as its chunks arrive. `write` the chunks as received, then `end`; `done` is
 * called once, with the decoded bytes or the failure — as soon as it is known (a decoded body
 * past the limit fails while the rest is still coming; the caller then stops reading).
 */
export interface BodyDecoder {
  readonly write: (chunk: Buffer) => void
  readonly end: () => void
  /** Stops decoding (the attempt ended otherwise); `done` is not called after. */
  readonly destroy: () => void
}

/**
 * A decoder for a body sent with `codings` (as `parseContentEncoding` gave them), holding at
 * most `limitBytes` decoded bytes.
 */
export const makeBodyDecoder = (
  codings: ReadonlyArray<Coding>,
  limitBytes: number,
  url: string,
  done: (result: Either.Either<Buffer, DecodeFailure>) => void
): BodyDecoder => {
  const encoding = codings.join(", ")
  let ended = false
  let buffered: Array<Buffer> = []
  let bufferedBytes = 0
  let streams: Array<Transform> | undefined
  const finish = (result: Either.Either<Buffer, DecodeFailure>) => {
    if (ended) return
    ended = true
    buffered = []
    if (streams !== undefined) { for (const stream of streams) stream.destroy() }
    done(result)
  }
  const startStreaming = () => {
    // Undone in reverse: the last coding applied is the first to undo.
    const chain = codings.slice().reverse().map(decodeStream)
    streams = chain
    for (let i = 0; i + 1 < chain.length; i++) chain[i]!.pipe(chain[i + 1]!)
    const decoded: Array<Buffer> = []
    let decodedBytes = 0
    for (const stream of chain) stream.on("error", (error) => finish(Either.left(invalid(url, encoding, error))))
    const last = chain[chain.length - 1]!
    last.on("data", (chunk: Buffer) => {
      decodedBytes += chunk.length
      if (decodedBytes > limitBytes) return finish(Either.left(tooLarge(url, limitBytes)))
      decoded.push(chunk)
    })
    last.on("end", () => finish(Either.right(Buffer.concat(decoded, decodedBytes))))
    const first = chain[0]!
    for (const chunk of buffered) first.write(chunk)
    buffered = []
  }
  return {
    write: (chunk) => {
      if (ended) return
      if (streams !== undefined) {
        streams[0]!.write(chunk)
        return
      }
      buffered.push(chunk)
      bufferedBytes += chunk.length
      if (bufferedBytes > streamAbove) startStreaming()
    },
    end: () => {
      if (ended) return
      if (streams !== undefined) {
        streams[0]!.end()
        return
      }
      finish(decodeAll(codings, Buffer.concat(buffered, bufferedBytes), limitBytes, url))
    },
    destroy: () => {
      ended = true
      buffered = []
      if (streams !== undefined) { for (const stream of streams) stream.destroy() }
    }
  }
}

/** Decodes a whole body at once, holding at most `limitBytes` decoded bytes. */
export const decodeAll = (
  codings: ReadonlyArray<Coding>,
  body: Buffer,
  limitBytes: number,
  url: string
): Either.Either<Buffer, DecodeFailure> => {
  // No body at all (HEAD, 204, 304) is no body, whatever the encoding says.
  if (body.length === 0) return Either.right(body)
  const maxOutputLength = Math.min(maxBuffer, Math.max(1, limitBytes))
  let bytes = body
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i]!
    try {
      bytes = decodeSync(coding, bytes, maxOutputLength)
    } catch (error) {
      return Either.left(
        (error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE"
          ? tooLarge(url, limitBytes)
          : invalid(url, coding, error)
      )
    }
  }
  if (bytes.length > limitBytes) return Either.left(tooLarge(url, limitBytes))
  return Either.right(bytes)
}
