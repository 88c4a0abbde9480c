/**
 * `volley demo`: the offline showcase (what `npm start` runs).
 *
 * @module
 */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { Fetcher } from "../http/Fetcher.js"
import type { CommandHelp } from "./HelpText.js"
import { lazyModule } from "./LazyModule.js"
import { useColor } from "./TerminalConsole.js"

/** How `volley demo --help` reads. */
export const demoHelp: CommandHelp = {
  name: "demo",
  summary: "show what volley does, against a local API, offline, in under a minute",
  usage: "volley demo",
  groups: [],
  examples: [["the whole story (what npm start runs)", "volley demo"]]
}

export const demoCommand = Command.make("demo", {}, () =>
  Effect.flatMap(
    lazyModule(() => import("../demo/DemoStory.js")),
    ({ runDemo }) => runDemo({ color: useColor(process.stdout) })
  )).pipe(
    Command.withDescription("Show what volley does, against a local API, offline, in under a minute"),
    Command.provide(Fetcher.Default)
  )
