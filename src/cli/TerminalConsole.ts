/**
 * The console `@effect/cli` prints help and usage errors through, adapted to where it writes:
 * ANSI styling only on a terminal and never with `NO_COLOR`, and usage errors as one line.
 *
 * @module
 */
import type * as Console from "effect/Console"
import * as Effect from "effect/Effect"

const ansi = /\u001b\[[0-9;]*m/g

/** Whether colours may be used on a stream (https://no-color.org). */
export const useColor = (stream: { readonly isTTY?: boolean }): boolean => {
  const noColor = process.env["NO_COLOR"]
  return stream.isTTY === true && (noColor === undefined || noColor === "")
}

const text = (arg: unknown) => (typeof arg === "string" ? arg : String(arg))

/**
 * A usage error from `@effect/cli` as volley prints every set-up error: one line, `volley: `
 * first. A bad `VOLLEY_*` value arrives wrapped as `(Invalid data at : "…")`.
 */
export const usageLine = (message: string): string => {
  const unwrapped = /^\(Invalid data at [^:]*: "(.*)"\)$/s.exec(message.trim())?.[1] ?? message
  const line = unwrapped.split("\n").map((part) => part.trim()).filter((part) => part !== "").join("; ")
  return line.startsWith("volley: ") ? line : `volley: ${line}`
}

/** A console that strips styling where it cannot be shown, and trims error text to its lines. */
export const makeTerminalConsole = (options: { readonly colorOut: boolean; readonly colorErr: boolean }) =>
  Effect.map(Effect.console, (base): Console.Console => ({
    ...base,
    log: (...args: ReadonlyArray<unknown>) =>
      base.log(...args.map((a) => (options.colorOut ? a : text(a).replace(ansi, "")))),
    error: (...args: ReadonlyArray<unknown>) =>
      base.error(usageLine(args.map((a) => options.colorErr ? text(a) : text(a).replace(ansi, "")).join(" ")))
  }))

/** Runs `self` with the terminal console for this process's stdout and stderr. */
export const withTerminalConsole = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    makeTerminalConsole({ colorOut: useColor(process.stdout), colorErr: useColor(process.stderr) }),
    (console) => Effect.withConsole(self, console)
  )
