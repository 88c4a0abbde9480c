/**
 * Credentials of a request: a URL's `user:password@` (sent as Basic auth, as curl does) and a
 * `.netrc` file's entries. Passwords stay `Redacted` until the request is built; URLs are printed
 * and stored without their userinfo (`http://host/…`), everywhere.
 *
 * @module
 */
import * as Redacted from "effect/Redacted"

/** `scheme://userinfo@`: the userinfo cannot hold `/`, `?` or `#`; its last `@` ends it. */
const userinfoPattern = /^(\s*[a-z][a-z0-9+.-]*:\/\/)[^/?#\\]*@/i

/**
 * The URL text as given, without its `user:password@` part: how a URL with credentials is shown
 * in records, errors, retry lines, resume files and dry runs.
 */
export const stripUserinfo = (url: string): string => url.includes("@") ? url.replace(userinfoPattern, "$1") : url

/** A percent-decoded userinfo part (taken as it is when it is not valid percent-encoding). */
const decoded = (part: string): string => {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}

/** The `Authorization` value of Basic auth for `user` and `password`. */
export const basicAuthorization = (user: string, password: string): Redacted.Redacted<string> =>
  Redacted.make(`Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`)

/** A login for a host: the user, and the password when one is known. */
export interface Login {
  readonly user: string
  readonly password: Redacted.Redacted<string> | undefined
}

/**
 * Takes the userinfo out of `url` (in place) and returns it: `undefined` when it had none.
 * The user and password are percent-decoded, as curl does.
 */
export const takeUserinfo = (url: URL): Login | undefined => {
  if (url.username === "" && url.password === "") return undefined
  const login: Login = {
    user: decoded(url.username),
    password: url.password === "" ? undefined : Redacted.make(decoded(url.password))
  }
  url.username = ""
  url.password = ""
  return login
}

/**
 * Finds the login for a host (its name, without the port), and for a user given without a
 * password, that user's password: a `.netrc` file, or any other store of logins.
 */
export interface LoginSource {
  readonly lookup: (host: string, user: string | undefined) => Login | undefined
}
