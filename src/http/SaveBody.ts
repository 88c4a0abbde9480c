/**
 * Saving bodies to files (`--save-dir`): a successful answer's body streams to a temporary file
 * beside its final name, hashed as it goes, and is renamed when whole — a crash or a kill never
 * leaves a torn file under the final name. Writing pauses the response when the disk is slower
 * than the network, so memory stays flat whatever the size.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto"
import * as fs from "node:fs"
import { basename, extname, join } from "node:path"
import { messageOf } from "../domain/ErrorText.js"

/** Where a saved body went. */
export interface SavedFile {
  readonly file: string
  readonly bytes: number
  readonly sha256: string
}

/**
 * One request's file. `begin` (again for each attempt) opens the temporary file, `write` takes
 * chunks (false: wait for `onDrain`), `finish` renames it into place, `discard` removes it.
 */
export interface BodySink {
  /** Opens the file (again, for a new attempt); the reason when it cannot. */
  readonly begin: () => string | undefined
  readonly write: (chunk: Uint8Array) => boolean
  readonly onDrain: (resume: () => void) => void
  readonly finish: (done: (result: { readonly saved: SavedFile } | { readonly error: string }) => void) => void
  readonly discard: () => void
}

/**
 * Whether a response may be paused while its file catches up. Not one the server closes the
 * connection after: undici 7.30 asserts (and the process dies) when the socket ends under a
 * paused parser (nodejs/undici#5360, fixed upstream by #5474); such a body is written without
 * pausing, so only a disk slower than the network makes it buffer.
 */
export const mayPause = (connection: string | undefined): boolean =>
  connection === undefined || !/\bclose\b/i.test(connection)

/** The suffix of a file being written; never the name of a whole one. */
export const partSuffix = ".volley-part"

/**
 * A sink writing to `path` through `path` + `.volley-part`. Not `report/AtomicFile`: a body is
 * written from undici's callbacks, chunk by chunk with back-pressure, hashed on the way, on the
 * hot path — an Effect scope per body would cost every download.
 */
export const fileSink = (path: string): BodySink => {
  const temp = path + partSuffix
  let stream: fs.WriteStream | undefined
  let hash: Hash | undefined
  let bytes = 0
  let failure: string | undefined
  const close = () => {
    const open = stream
    stream = undefined
    open?.destroy()
  }
  return {
    begin: () => {
      close()
      failure = undefined
      bytes = 0
      hash = createHash("sha256")
      let fd: number
      try {
        // Opened at once, so a discard right after removes a file that exists.
        fd = fs.openSync(temp, "w")
      } catch (cause) {
        return `cannot write ${temp}: ${messageOf(cause)}`
      }
      stream = fs.createWriteStream(temp, { fd })
      stream.on("error", (error) => {
        failure ??= error.message
      })
      return undefined
    },
    write: (chunk) => {
      bytes += chunk.length
      hash!.update(chunk)
      return stream!.write(chunk)
    },
    onDrain: (resume) => {
      stream!.once("drain", resume)
    },
    finish: (done) => {
      const open = stream!
      stream = undefined
      open.end(() => {
        if (failure !== undefined) {
          fs.rm(temp, { force: true }, () => done({ error: `cannot write ${temp}: ${failure}` }))
          return
        }
        fs.rename(temp, path, (error) => {
          if (error !== null) return done({ error: `cannot rename ${temp} to ${path}: ${error.message}` })
          done({ saved: { file: path, bytes, sha256: hash!.digest("hex") } })
        })
      })
    },
    discard: () => {
      const open = stream
      close()
      // Only a sink that began has a file; removed before the record is written.
      if (open !== undefined) {
        try {
          fs.rmSync(temp, { force: true })
        } catch {
          // Windows cannot remove a file still open: the `.volley-part` name says it is not whole.
        }
      }
    }
  }
}

/** Characters no file system takes in a name (Windows' list, controls, both slashes). */

const unsafeChars = /[<>:"/\\|?*\u0000-\u001f\u007f]/g

/** Names Windows keeps for devices, with any extension. */
const reservedNames = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i

/** A name every OS's file system takes: unsafe characters as `_`, no trailing dot or space, ≤ 200 bytes. */
export const safeFileName = (name: string): string => {
  let safe = name.replace(unsafeChars, "_").replace(/[. ]+$/, "")
  if (safe === "" || safe === "." || safe === "..") safe = "_"
  if (reservedNames.test(safe)) safe = `_${safe}`
  while (Buffer.byteLength(safe) > 200) safe = safe.slice(0, -1)
  return safe
}

const decoded = (part: string): string => {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}

/** The placeholders of `--save-name`. */
export const saveNamePlaceholders = ["index", "host", "path", "name", "ext"] as const

/** The default file name template: the input's index and the URL's last segment. */
export const defaultSaveName = "{index}-{name}"

/** Why `template` cannot name files (a placeholder volley does not know), or `undefined`. */
export const saveNameProblem = (template: string): string | undefined => {
  const unknown = /\{([^}]*)\}/g.exec(template.replace(/\{(index|host|path|name|ext)\}/g, ""))
  return unknown === null
    ? undefined
    : `unknown placeholder {${unknown[1]}} (use ${saveNamePlaceholders.map((p) => `{${p}}`).join(" ")})`
}

/**
 * The file name for input `index` at `url` by `template`: `{index}`, `{host}`, `{path}` (the
 * URL's path, slashes as `_`), `{name}` (its last segment, `index` when there is none) and
 * `{ext}` (that segment's extension, without the dot).
 */
export const fileNameFor = (template: string, index: number, url: URL): string => {
  const segments = url.pathname.split("/").filter((s) => s !== "")
  const name = segments.length === 0 ? "index" : decoded(segments[segments.length - 1]!)
  const values: Record<(typeof saveNamePlaceholders)[number], string> = {
    index: String(index),
    host: url.hostname,
    path: segments.map(decoded).join("_") || "index",
    name: basename(name),
    ext: extname(name).replace(/^\./, "")
  }
  return safeFileName(template.replace(/\{(index|host|path|name|ext)\}/g, (_, key: keyof typeof values) => values[key]))
}

/**
 * Names files in `dir` for a run: two inputs never get one file — a name already taken gets
 * `-INDEX` before its extension.
 */
export const makeFileNamer = (dir: string, template: string) => {
  const taken = new Set<string>()
  return (index: number, url: URL): string => {
    let name = fileNameFor(template, index, url)
    if (taken.has(name)) {
      const ext = extname(name)
      name = `${name.slice(0, name.length - ext.length)}-${index}${ext}`
    }
    taken.add(name)
    return join(dir, name)
  }
}

/** A namer for `--resume` over `--save-dir` alone: the files already there are the record. */
export interface ResumableNamer {
  /** The path of input `index` (what the Fetcher asks when it saves). */
  readonly nameFor: (index: number, url: URL) => string
  /**
   * Whether input `index` is saved already: its file is there under its final name (a file is
   * renamed to it only once whole). Asked once per input, in input order, before it is fetched,
   * so names are given as a first run gave them (a name taken twice gets `-INDEX` either way).
   */
  readonly isSaved: (index: number, url: URL) => boolean
}

export const makeResumableNamer = (dir: string, template: string): ResumableNamer => {
  const namer = makeFileNamer(dir, template)
  // Names given by `isSaved` to inputs that are fetched, until the Fetcher asks for them.
  const given = new Map<number, string>()
  return {
    nameFor: (index, url) => {
      const name = given.get(index)
      if (name === undefined) return namer(index, url)
      given.delete(index)
      return name
    },
    isSaved: (index, url) => {
      const name = namer(index, url)
      if (fs.existsSync(name)) return true
      given.set(index, name)
      return false
    }
  }
}
