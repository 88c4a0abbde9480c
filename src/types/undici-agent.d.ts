// undici publishes no types for its modules one by one; this one is its `Agent`, as the package
// index exports it (see src/http/UndiciAgent.ts for why it is imported directly).
declare module "undici/lib/dispatcher/agent.js" {
  import type { Agent } from "undici"
  const AgentModule: typeof Agent
  export default AgentModule
}

// undici's `request` method, as the package index installs it on every dispatcher.
declare module "undici/lib/api/api-request.js" {
  import type { Dispatcher } from "undici"
  const request: (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>
  export default request
}

// undici's connector factory: what an agent's `connect` options become (see ConnectTimings.ts).
// Its connector returns the socket it opens (the published type says void).
declare module "undici/lib/core/connect.js" {
  import type { Socket } from "node:net"
  import type { buildConnector } from "undici"
  const build: (
    options: buildConnector.BuildOptions
  ) => (options: buildConnector.Options, callback: buildConnector.Callback) => Socket
  export default build
}
