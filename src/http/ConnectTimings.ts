/**
 * Where an attempt's time went (`--timings`): DNS, TCP connect and TLS of each connection it
 * opened, the first byte and the whole. undici's diagnostics channels say which socket sent a
 * request (`undici:client:sendHeaders`) and when its answer's head came
 * (`undici:request:headers`, published just before the request's handler is told); the socket's
 * own `lookup`, `connect` and `secureConnect` events, seen from the connector that opened it,
 * time the phases. A reused socket skipped them: the phases are left out.
 *
 * @module
 */
import { subscribe } from "node:diagnostics_channel"
import { lookup as dnsLookup } from "node:dns"
import type { LookupFunction, Socket } from "node:net"
import { performance } from "node:perf_hooks"
import type { buildConnector } from "undici"
import buildUndiciConnector from "undici/lib/core/connect.js"
import { roundMs } from "../domain/DurationText.js"

/** Phase times in ms, as a record shows them. */
export interface Timings {
  readonly dns?: number
  readonly connect?: number
  readonly tls?: number
  readonly ttfb: number
  readonly total: number
}

/** When a socket's phases ended (`performance.now()`), and whether a request has used them. */
interface SocketPhases {
  readonly start: number
  lookup?: number
  connect?: number
  secure?: number
  claimed: boolean
}

const phasesOf = new WeakMap<object, SocketPhases>()

/**
 * An undici connector (for an agent's `connect` option) that notes when each socket it opens
 * resolved, connected and finished its TLS handshake. Three one-shot listeners per new socket:
 * sockets are reused, so this is off the per-request path.
 */
export const timedConnector = (options: buildConnector.BuildOptions & { readonly lookup?: LookupFunction }) => {
  // The lookup is called while the socket is being made (the connector has not returned it
  // yet, and a local name may answer at once): it notes the time in the phases being made.
  let opening: SocketPhases | undefined
  const resolve = options.lookup ?? (dnsLookup as LookupFunction)
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    const phases = opening
    resolve(hostname, lookupOptions, (...answer) => {
      if (phases !== undefined && phases.lookup === undefined) phases.lookup = performance.now()
      callback(...answer)
    })
  }
  const connect = buildUndiciConnector({ ...options, lookup })
  return (params: buildConnector.Options, callback: buildConnector.Callback): Socket => {
    const phases: SocketPhases = { start: performance.now(), claimed: false }
    opening = phases
    let socket: Socket
    try {
      socket = connect(params, callback)
    } finally {
      opening = undefined
    }
    phasesOf.set(socket, phases)
    socket.once("connect", () => phases.connect = performance.now())
    if (params.protocol === "https:") socket.once("secureConnect", () => phases.secure = performance.now())
    return socket
  }
}

const socketOfRequest = new WeakMap<object, object>()
/** The socket of the request whose answer's head was published last (read at once, then cleared). */
let answeredOn: object | undefined
let watching = false

interface SendHeadersMessage {
  readonly request: object
  readonly socket: object
}
interface HeadersMessage {
  readonly request: object
}

/** Subscribes to undici's channels, once, at the first attempt that wants its timings. */
export const watchSockets = (): void => {
  if (watching) return
  watching = true
  subscribe("undici:client:sendHeaders", (message) => {
    const { request, socket } = message as SendHeadersMessage
    socketOfRequest.set(request, socket)
  })
  subscribe("undici:request:headers", (message) => {
    answeredOn = socketOfRequest.get((message as HeadersMessage).request)
  })
}

/** The connection phases an attempt paid for, summed over its hops (a redirect may connect again). */
export interface ConnectSpent {
  dns?: number
  connect?: number
  tls?: number
}

/**
 * Called where a response's head arrives (synchronously after undici published it): adds the
 * phases of the socket that answered to `spent`, when no earlier request claimed them.
 */
export const claimPhases = (spent: ConnectSpent): void => {
  const socket = answeredOn
  answeredOn = undefined
  const phases = socket === undefined ? undefined : phasesOf.get(socket)
  if (phases === undefined || phases.claimed) return
  phases.claimed = true
  const connectedFrom = phases.lookup ?? phases.start
  if (phases.lookup !== undefined) spent.dns = (spent.dns ?? 0) + phases.lookup - phases.start
  if (phases.connect !== undefined) spent.connect = (spent.connect ?? 0) + phases.connect - connectedFrom
  if (phases.secure !== undefined && phases.connect !== undefined) {
    spent.tls = (spent.tls ?? 0) + phases.secure - phases.connect
  }
}

/** The timings of an attempt that began at `startedAt`, had its head at `headAt`, ended now. */
export const attemptTimings = (spent: ConnectSpent, startedAt: number, headAt: number): Timings => ({
  ...(spent.dns === undefined ? {} : { dns: roundMs(spent.dns) }),
  ...(spent.connect === undefined ? {} : { connect: roundMs(spent.connect) }),
  ...(spent.tls === undefined ? {} : { tls: roundMs(spent.tls) }),
  ttfb: roundMs(headAt - startedAt),
  total: roundMs(performance.now() - startedAt)
})
