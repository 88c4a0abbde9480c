/**
 * The request body from curl's data flags: `-d/--data`, `--data-raw`, `--data-binary`,
 * `--data-urlencode`, `--json` and `-F/--form`, with curl's meaning for each (`@FILE`, `@-` for
 * stdin, `&` between parts, newlines stripped from `-d @FILE`, form encoding by default, bytes
 * kept as they are by `--data-binary`, multipart for `-F`).
 *
 * @module
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { UsageError } from "../domain/UsageError.js"
import { Stdin } from "./Stdin.js"

export interface DataFlags {
  readonly data: ReadonlyArray<string>
  readonly dataRaw: ReadonlyArray<string>
  readonly dataBinary: ReadonlyArray<string>
  readonly dataUrlencode: ReadonlyArray<string>
  readonly json: ReadonlyArray<string>
  readonly form: ReadonlyArray<string>
}

/** The body to send and the content type curl would give it (unless the user set one). */
export interface RequestBody {
  /** Text, or bytes (`--data-binary @FILE`, a multipart form): sent as they are. */
  readonly content: string | Uint8Array
  readonly contentType: string
  /** `--json` also asks for JSON back. */
  readonly accept?: string
  /** A part was `@-`. */
  readonly fromStdin: boolean
}

const readStdinBytes = Effect.flatMap(Stdin, (stdin) =>
  NodeStream.fromReadable<UsageError, Uint8Array>(
    stdin.readable,
    (cause) => new UsageError({ message: `@-: cannot read standard input: ${String(cause)}` })
  ).pipe(Stream.runCollect, Effect.map((chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks)))))

/** `@-` is stdin, `@FILE` a file, as bytes; `flag` names the flag in the error. */
const bytesOf = (flag: string, path: string): Effect.Effect<Uint8Array, UsageError, FileSystem.FileSystem | Stdin> =>
  path === "-" ? readStdinBytes : Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.readFile(path).pipe(
      Effect.mapError(() => new UsageError({ message: `${flag} @${path}: cannot read the file` }))
    ))

/** The same, as UTF-8 text. */
const contents = (flag: string, path: string) =>
  Effect.map(bytesOf(flag, path), (bytes) => Buffer.from(bytes).toString("utf8"))

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
 * One `-F` part as curl writes it: `name=value`, `name=@FILE` (a file, its name and type sent;
 * `;type=mime` and `;filename=x` after the path override them), `name=<FILE` (the file's text as
 * the value).
 */
const formPart = (form: FormData, part: string) =>
  Effect.gen(function*() {
    const eq = part.indexOf("=")
    if (eq <= 0) {
      return yield* new UsageError({ message: `-F '${part}': expected NAME=VALUE, NAME=@FILE or NAME=<FILE` })
    }
    const name = part.slice(0, eq)
    const value = part.slice(eq + 1)
    if (value.startsWith("@")) {
      const [path = "", ...attributes] = value.slice(1).split(";")
      const attribute = (key: string) =>
        attributes.find((a) => a.trim().startsWith(`${key}=`))?.trim().slice(key.length + 1)
      const bytes = yield* bytesOf("-F", path)
      const type = attribute("type") ?? "application/octet-stream"
      const filename = attribute("filename") ?? (path === "-" ? "-" : path.split(/[\\/]/).pop()!)
      form.append(name, new Blob([bytes], { type }), filename)
    } else if (value.startsWith("<")) {
      form.append(name, yield* contents("-F", value.slice(1)))
    } else {
      form.append(name, value)
    }
  })

/**
 * A multipart/form-data body of `-F` parts, encoded by the platform's own `FormData` encoder
 * (undici's, through `Response`), boundary and all.
 */
const multipart = (parts: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const form = new FormData()
    for (const part of parts) yield* formPart(form, part)
    const encoded = new Response(form)
    const bytes = yield* Effect.promise(() => encoded.arrayBuffer())
    return { content: new Uint8Array(bytes), contentType: encoded.headers.get("content-type")! }
  })

const joinBytes = (parts: ReadonlyArray<string | Uint8Array>): string | Uint8Array => {
  if (parts.every((part) => typeof part === "string")) return parts.join("&")
  const separator = Buffer.from("&")
  return Buffer.concat(parts.flatMap((part, i) => [
    ...(i === 0 ? [] : [separator]),
    typeof part === "string" ? Buffer.from(part) : part
  ]))
}

/**
 * The body of the data flags, or `undefined` when none is given. Parts join with `&` as in curl;
 * `--json` parts join as they are. A body of form parts is `application/x-www-form-urlencoded`
 * (curl's default), except that a body which parses as JSON is sent as `application/json`.
 * `--data-binary @FILE` keeps the file's bytes as they are; `-F` makes a multipart form.
 */
export const requestBody = (
  flags: DataFlags
): Effect.Effect<RequestBody | undefined, UsageError, FileSystem.FileSystem | Stdin> =>
  Effect.gen(function*() {
    const formParts = flags.data.length + flags.dataRaw.length + flags.dataBinary.length + flags.dataUrlencode.length
    const kinds = [formParts > 0, flags.json.length > 0, flags.form.length > 0].filter(Boolean).length
    if (kinds > 1) {
      return yield* new UsageError({ message: "use one kind of body: -d/--data-*, --json or -F/--form" })
    }
    const stdinUses = [...flags.data, ...flags.dataBinary, ...flags.json, ...flags.form]
      .filter((part) => part === "@-" || part.endsWith("=@-") || part.endsWith("=<-")).length
    if (stdinUses > 1) return yield* new UsageError({ message: "@- (standard input) can be read only once" })
    const fromStdin = stdinUses > 0
    if (flags.form.length > 0) return { ...(yield* multipart(flags.form)), fromStdin }
    if (flags.json.length > 0) {
      const parts = yield* Effect.forEach(flags.json, (part) =>
        part.startsWith("@") ? contents("--json", part.slice(1)) : Effect.succeed(part))
      return { content: parts.join(""), contentType: "application/json", accept: "application/json", fromStdin }
    }
    if (formParts === 0) {
      return undefined
    }
    const parts: Array<string | Uint8Array> = []
    for (const part of flags.data) {
      // curl strips carriage returns and newlines from `-d @FILE`.
      parts.push(part.startsWith("@") ? (yield* contents("--data", part.slice(1))).replace(/[\r\n]/g, "") : part)
    }
    parts.push(...flags.dataRaw)
    for (const part of flags.dataBinary) {
      parts.push(part.startsWith("@") ? yield* bytesOf("--data-binary", part.slice(1)) : part)
    }
    for (const part of flags.dataUrlencode) {
      parts.push(yield* urlencoded(part))
    }
    const content = joinBytes(parts)
    return {
      content,
      contentType: typeof content === "string" && isJson(content)
        ? "application/json"
        : "application/x-www-form-urlencoded",
      fromStdin
    }
  })
