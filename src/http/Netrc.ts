/**
 * `.netrc` files, read by curl's rules: tokens split by white space (a token may be quoted, with
 * `\"`, `\\`, `\n`, `\r` and `\t` escapes), `machine NAME` or `default` opens an entry, `login`,
 * `password` and `account` fill it, `macdef NAME` skips to the next empty line. A host's entry is
 * the first `machine` of that name (with the URL's user, when it gives one); `default` serves any
 * host no `machine` names. Passwords are `Redacted` from the moment they are read.
 *
 * @module
 */
import * as Redacted from "effect/Redacted"
import type { Login, LoginSource } from "./Credentials.js"

/** One entry: `machine` is `undefined` for `default`. */
export interface NetrcEntry {
  readonly machine: string | undefined
  readonly login: string | undefined
  readonly password: Redacted.Redacted<string> | undefined
}

const escapes: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t" }

/** The tokens of a `.netrc` text, with each `macdef` body left out. */
const tokens = (text: string): Array<string> => {
  const out: Array<string> = []
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++
      continue
    }
    let token = ""
    if (c === "\"") {
      i++
      while (i < text.length && text[i] !== "\"") {
        if (text[i] === "\\" && i + 1 < text.length) {
          const next = text[i + 1]!
          token += escapes[next] ?? next
          i += 2
        } else {
          token += text[i]
          i++
        }
      }
      i++
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) token += text[i++]
    }
    out.push(token)
    if (token === "macdef" && c !== "\"") {
      // The macro's name, then its lines up to an empty line.
      const end = text.indexOf("\n\n", i)
      i = end < 0 ? text.length : end + 2
    }
  }
  return out
}

/** The entries of a `.netrc` text, in order. */
export const parseNetrc = (text: string): ReadonlyArray<NetrcEntry> => {
  const entries: Array<NetrcEntry> = []
  let current: { machine: string | undefined; login: string | undefined; password: string | undefined } | undefined
  const close = () => {
    if (current === undefined) return
    entries.push({
      machine: current.machine,
      login: current.login,
      password: current.password === undefined ? undefined : Redacted.make(current.password)
    })
    current = undefined
  }
  const all = tokens(text)
  for (let i = 0; i < all.length; i++) {
    const token = all[i]!
    if (token === "machine") {
      close()
      current = { machine: all[++i]?.toLowerCase(), login: undefined, password: undefined }
    } else if (token === "default") {
      close()
      current = { machine: undefined, login: undefined, password: undefined }
    } else if (token === "macdef") {
      close()
    } else if (current !== undefined && token === "login") {
      current.login = all[++i]
    } else if (current !== undefined && token === "password") {
      current.password = all[++i]
    } else if (current !== undefined && token === "account") {
      i++
    }
  }
  close()
  return entries
}

/** The login for `host` (and `user`, when the URL named one) in `entries`, by curl's rules. */
export const netrcLogin = (
  entries: ReadonlyArray<NetrcEntry>,
  host: string,
  user: string | undefined
): Login | undefined => {
  const name = host.toLowerCase()
  const fits = (entry: NetrcEntry) => user === undefined || entry.login === undefined || entry.login === user
  const found = entries.find((entry) => entry.machine === name && fits(entry)) ??
    entries.find((entry) => entry.machine === undefined && fits(entry))
  if (found === undefined) return undefined
  const login = user ?? found.login
  if (login === undefined) return undefined
  return { user: login, password: found.password }
}

/** A login source over a parsed `.netrc`. */
export const netrcSource = (entries: ReadonlyArray<NetrcEntry>): LoginSource => ({
  lookup: (host, user) => netrcLogin(entries, host, user)
})
