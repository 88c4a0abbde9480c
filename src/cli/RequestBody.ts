/**
 * The request body from curl's data flags: `-d/--data`, `--data-raw`, `--data-binary`,
 * `--data-urlencode` and `--json`, with curl's meaning for each (`@FILE`, `@-` for stdin, `&`
 * between parts, newlines stripped from `-d @FILE`, form encoding by default).
 *
 * @module
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { UsageError } from "../domain/UsageError.js"

export interface DataFlags {
  readonly data: ReadonlyArray<string>
  readonly dataRaw: ReadonlyArray<string>
  readonly dataBinary: ReadonlyArray<string>
  readonly dataUrlencode: ReadonlyArray<string>
  readonly json: ReadonlyArray<string>
}

/** The body to send and the content type curl would give it (unless the user set one). */
export interface RequestBody {
  readonly text: string
  readonly contentType: string
  /** `--json` also asks for JSON back. */
  readonly accept?: string
  /** A part was `@-`. */
  readonly fromStdin: boolean
}

const readStdin = Effect.suspend(() =>
  NodeStream.fromReadable<UsageError, Uint8Array>(
    () => process.stdin,
    (cause) => new UsageError({ message: `@-: cannot read standard input: ${String(cause)}` })
  ).pipe(Stream.decodeText(), Stream.runCollect, Effect.map((chunks) => Chunk.join(chunks, "")))
)

/** `@-` is stdin, `@FILE` a file; `flag` names the flag in the error. */
const contents = (flag: string, path: string) =>
  path === "-" ? readStdin : Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.readFileString(path).pipe(
      Effect.mapError(() => new UsageError({ message: `${flag} @${path}: cannot read the file` }))
    ))

/** curl's `--data-urlencode` forms: `content`, `=content`, `name=content`, `@file`, `name@file`. */
const urlencoded = (part: string) => {
  const eq = part.indexOf("=")
  const at = part.indexOf("@")
  if (eq >= 0 && (at < 0 || eq < at)) {
    const name = part.slice(0, eq)
    const value = encodeURIComponent(part.slice(eq + 1))
    return Effect.succeed(name === "" ? value : `${name}=${value}`)
  }
  if (at >= 0) {
    const name = part.slice(0, at)
    return Effect.map(
      contents("--data-urlencode", part.slice(at + 1)),
      (text) => name === "" ? encodeURIComponent(text) : `${name}=${encodeURIComponent(text)}`
    )
  }
  return Effect.succeed(encodeURIComponent(part))
}

const isJson = (text: string) => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/**
 * The body of the data flags, or `undefined` when none is given. Parts join with `&` as in curl;
 * `--json` parts join as they are. A body of form parts is `application/x-www-form-urlencoded`
 * (curl's default), except that a body which parses as JSON is sent as `application/json`.
 */
export const requestBody = (
  flags: DataFlags
): Effect.Effect<RequestBody | undefined, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const formParts = flags.data.length + flags.dataRaw.length + flags.dataBinary.length + flags.dataUrlencode.length
    if (flags.json.length > 0 && formParts > 0) {
      return yield* new UsageError({ message: "--json cannot be combined with -d/--data-* flags" })
    }
    const stdinUses = [...flags.data, ...flags.dataBinary, ...flags.json].filter((part) => part === "@-").length
    if (stdinUses > 1) return yield* new UsageError({ message: "@- (standard input) can be read only once" })
    if (flags.json.length > 0) {
      const parts = yield* Effect.forEach(flags.json, (part) =>
        part.startsWith("@") ? contents("--json", part.slice(1)) : Effect.succeed(part))
      return {
        text: parts.join(""),
        contentType: "application/json",
        accept: "application/json",
        fromStdin: stdinUses > 0
      }
    }
    if (formParts === 0) {
      return undefined
    }
    const parts: Array<string> = []
    for (const part of flags.data) {
      // curl strips carriage returns and newlines from `-d @FILE`.
      parts.push(
        part.startsWith("@") ? (yield* contents("--data", part.slice(1))).replace(/[\r\n]/g, "") : part
      )
    }
    parts.push(...flags.dataRaw)
    for (const part of flags.dataBinary) {
      parts.push(part.startsWith("@") ? yield* contents("--data-binary", part.slice(1)) : part)
    }
    for (const part of flags.dataUrlencode) {
      parts.push(yield* urlencoded(part))
    }
    const text = parts.join("&")
    return {
      text,
      contentType: isJson(text) ? "application/json" : "application/x-www-form-urlencoded",
      fromStdin: stdinUses > 0
    }
  })
