/**
 * A body's bytes as the text volley records: decoded by the `charset` of its `Content-Type`
 * (any label `TextDecoder` knows; UTF-8 when there is none), a byte-order mark winning over the
 * label — or, when the body is not text, left as it came, in base64.
 *
 * A body is not text when its content type says so (images, audio, video, fonts,
 * `application/octet-stream`, archives, PDF…) or when its bytes are not valid in its charset.
 * Such a body is never turned into replacement characters: the record carries the base64 of the
 * bytes and says `"bodyEncoding": "base64"`.
 *
 * The common case costs little: UTF-8 is checked with Node's `isUtf8` (native) and converted
 * with `Buffer.toString`; what a content type means is worked out once per distinct value.
 *
 * @module
 */
import { isUtf8 } from "node:buffer"
import { TextDecoder } from "node:util"

/** A body as text, or (`base64`) as the base64 of its bytes. */
export interface BodyText {
  readonly text: string
  readonly base64: boolean
}

/** What a `Content-Type` value says about the body. */
interface TypeInfo {
  /** The type is binary whatever the bytes. */
  readonly binary: boolean
  /** The decoder of the declared charset, `undefined` for UTF-8 (or an unknown label). */
  readonly decoder: TextDecoder | undefined
}

/** Media types that are not text even when their bytes happen to be. */
const binaryTypes: ReadonlySet<string> = new Set([
  "application/octet-stream",
  "application/pdf",
  "application/zip",
  "application/gzip",
  "application/x-gzip",
  "application/x-tar",
  "application/x-7z-compressed",
  "application/x-bzip2",
  "application/x-xz",
  "application/zstd",
  "application/wasm",
  "application/protobuf",
  "application/x-protobuf",
  "application/vnd.google.protobuf",
  "application/msgpack",
  "application/x-msgpack",
  "application/cbor",
  "application/vnd.apache.parquet",
  "application/vnd.ms-excel",
  "application/msword"
])

const binaryPrefixes = ["image/", "audio/", "video/", "font/", "model/"] as const

/** Whether a media type (lower case, no parameters) is binary. */
export const isBinaryMediaType = (mime: string): boolean => {
  if (binaryTypes.has(mime)) return true
  // SVG is XML text, though it is an image.
  if (mime === "image/svg+xml") return false
  for (const prefix of binaryPrefixes) if (mime.startsWith(prefix)) return true
  return false
}

/** The `charset` parameter of a content type, unquoted, or `undefined`. */
export const charsetOf = (contentType: string): string | undefined => {
  const parts = contentType.split(";")
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!
    const eq = part.indexOf("=")
    if (eq < 0) continue
    if (part.slice(0, eq).trim().toLowerCase() !== "charset") continue
    const value = part.slice(eq + 1).trim()
    return value.startsWith("\"") && value.endsWith("\"") && value.length >= 2 ? value.slice(1, -1) : value
  }
  return undefined
}

/** A fatal decoder for `label`, or `undefined` for UTF-8 and labels `TextDecoder` does not know. */
const decoderFor = (label: string): TextDecoder | undefined => {
  let decoder: TextDecoder
  try {
    decoder = new TextDecoder(label, { fatal: true })
  } catch {
    return undefined
  }
  return decoder.encoding === "utf-8" ? undefined : decoder
}

const plainUtf8: TypeInfo = { binary: false, decoder: undefined }

const typeInfos = new Map<string, TypeInfo>()

const typeInfo = (contentType: string | undefined): TypeInfo => {
  if (contentType === undefined) return plainUtf8
  let info = typeInfos.get(contentType)
  if (info === undefined) {
    const mime = contentType.split(";", 1)[0]!.trim().toLowerCase()
    const charset = charsetOf(contentType)
    info = { binary: isBinaryMediaType(mime), decoder: charset === undefined ? undefined : decoderFor(charset) }
    // A run sees the same few content types again and again; a hostile server cannot grow this.
    if (typeInfos.size < 256) typeInfos.set(contentType, info)
  }
  return info
}

const utf16le = new TextDecoder("utf-16le", { fatal: true })
const utf16be = new TextDecoder("utf-16be", { fatal: true })

const base64Of = (bytes: Buffer): BodyText => ({ text: bytes.toString("base64"), base64: true })

/** Text by a fatal decoder, or base64 when the bytes are not valid for it. */
const decodeWith = (decoder: TextDecoder, bytes: Buffer): BodyText => {
  try {
    return { text: decoder.decode(bytes), base64: false }
  } catch {
    return base64Of(bytes)
  }
}

const utf8Of = (bytes: Buffer): BodyText =>
  isUtf8(bytes) ? { text: bytes.toString("utf8"), base64: false } : base64Of(bytes)

/** The body of an answer with `contentType`, as text or base64. */
export const bodyText = (bytes: Buffer, contentType: string | undefined): BodyText => {
  if (bytes.length === 0) return { text: "", base64: false }
  const info = typeInfo(contentType)
  if (info.binary) return base64Of(bytes)
  // A byte-order mark says the encoding better than a label; it is not part of the text.
  const b0 = bytes[0]!
  if (b0 === 0xef && bytes.length >= 3 && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    const rest = bytes.subarray(3)
    return isUtf8(rest) ? { text: rest.toString("utf8"), base64: false } : base64Of(bytes)
  }
  if (b0 === 0xff && bytes[1] === 0xfe) return bomText(utf16le, bytes)
  if (b0 === 0xfe && bytes[1] === 0xff) return bomText(utf16be, bytes)
  return info.decoder === undefined ? utf8Of(bytes) : decodeWith(info.decoder, bytes)
}

/** UTF-16 after its byte-order mark (the decoder drops the mark itself). */
const bomText = (decoder: TextDecoder, bytes: Buffer): BodyText => {
  const decoded = decodeWith(decoder, bytes)
  return decoded.base64 || decoded.text.charCodeAt(0) !== 0xfeff
    ? decoded
    : { text: decoded.text.slice(1), base64: false }
}
