/**
 * Loads a module when a command needs it, not when the CLI starts: a `fetch` then never
 * compiles or initialises the demo server, the workflow engine or the HTML and JSON Schema
 * libraries (measured in PERFORMANCE.md: start-up is most of a short run).
 *
 * @module
 */
import * as Effect from "effect/Effect"

/** The module `load` imports, as an effect; loading a bundled module cannot fail. */
export const lazyModule = <M>(load: () => Promise<M>): Effect.Effect<M> => Effect.promise(load)
