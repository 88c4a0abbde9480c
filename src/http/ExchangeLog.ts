/**
 * The exchanges behind records, for reports that need more than a record holds (HAR: request and
 * response headers, the body as text, when it started). Records keep their shape; when a run
 * asks for it (`FetchOptions.exchanges`), the Fetcher puts each input's exchange here by index
 * and the report takes it when it writes that record. Records are written in input order soon
 * after they finish, so the log only holds those finished and not yet written.
 *
 * @module
 */
import type { Answer } from "./RequestGate.js"

/** One input's last attempt, as sent and as answered. */
export interface Exchange {
  /** When the input's first attempt started (epoch milliseconds). */
  readonly startedMs: number
  readonly method: string
  /** The URL as given (the answer has the final one, after redirects). */
  readonly url: string
  /** The headers sent, in the clear: reports redact them (`redactHeaders`). */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array | undefined
  /** The run's secret header names (lower case), which reports redact. */
  readonly secretHeaders: ReadonlySet<string>
  /** The last answer, when one came. */
  readonly answer: Answer | undefined
}

export interface ExchangeLog {
  readonly put: (index: number, exchange: Exchange) => void
  /** The exchange of `index`, removed from the log. */
  readonly take: (index: number) => Exchange | undefined
}

/** An empty log. */
export const makeExchangeLog = (): ExchangeLog => {
  const exchanges = new Map<number, Exchange>()
  return {
    put: (index, exchange) => {
      exchanges.set(index, exchange)
    },
    take: (index) => {
      const exchange = exchanges.get(index)
      exchanges.delete(index)
      return exchange
    }
  }
}
