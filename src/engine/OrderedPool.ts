/**
 * A pool of `concurrency` worker fibers over a stream, emitting results in input order.
 *
 * A request starts as soon as any other finishes, so one slow answer does not hold back the
 * requests after it — only their emission, and at most `window` results wait behind it. Inputs
 * are fed by one producer fiber a chunk at a time, and the workers live for the whole run: no
 * stream step and no fiber per input (both were measured to cap throughput; see PERFORMANCE.md).
 *
 * @module
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { withInFlight } from "../http/InFlight.js"
import type { Starter } from "../http/Starter.js"

/** A slot not yet resolved. */
const pending: unique symbol = Symbol.for("volley/OrderedPool/pending") as never
/** An input taken after a stop: it was not started and has no result. */
const skipped: unique symbol = Symbol.for("volley/OrderedPool/skipped") as never

/** How long a result may wait for others to go out with it, when results come slowly. */
const flushDelayMs = 10

/**
 * A wake-up call some fibers may wait for: `wait` suspends until the next `wake`. Waking with
 * nobody waiting does nothing (no allocation on the hot path).
 */
const makeSignal = () => {
  let waiter: Deferred.Deferred<void> | undefined
  return {
    wait: Effect.suspend(() => Deferred.await(waiter ??= Deferred.unsafeMake<void>(FiberId.none))),
    waiting: () => waiter !== undefined,
    wake: () => {
      const woken = waiter
      waiter = undefined
      if (woken !== undefined) Deferred.unsafeDone(woken, Exit.void)
    }
  }
}

/** How a slot was resolved: a result, a skip, or the failure that ends the stream. */
type Slot<B, E> = { readonly value: B } | typeof skipped | { readonly cause: Cause.Cause<E> }

/** What `take` returns when there is no input to start now. */
const noInput: unique symbol = Symbol.for("volley/OrderedPool/noInput") as never

export interface OrderedPoolOptions<A, B, E, R> {
  /** Inputs in flight at once. */
  readonly concurrency: number
  /** When this turns true no new input is started; those started finish and are emitted. */
  readonly stopped: () => boolean
  /**
   * The same work as `f`, driven by callbacks. A worker then goes from one input to the next in
   * the callback that ends the previous one, and its fiber wakes only for work that needs it
   * (see `Starter`): on loopback a fiber resume per input was a fifth of the run.
   */
  readonly start?: Starter<A, B, E, R> | undefined
}

/**
 * Runs `f` over `inputs` with at most `concurrency` calls in flight and emits the results in
 * input order. A failure of `f` (or of the inputs) ends the stream after the results before it.
 */
export const orderedPool = <A, B, E, R, E2, R2>(
  inputs: Stream.Stream<A, E, R>,
  f: (a: A) => Effect.Effect<B, E2, R2>,
  options: OrderedPoolOptions<A, B, E2, R2>
): Stream.Stream<B, E | E2, R | R2> =>
  Stream.unwrapScoped(
    Effect.flatMap(Effect.scope, (scope) =>
      Effect.map(
        startPool(inputs, f, Math.max(1, options.concurrency), options.stopped, options.start, scope),
        (pull) => Stream.repeatEffectChunkOption(pull)
      ))
  )

/** Starts the producer and the workers in `scope`; returns the pull of the output. */
const startPool = <A, B, E, R, E2, R2>(
  inputs: Stream.Stream<A, E, R>,
  f: (a: A) => Effect.Effect<B, E2, R2>,
  concurrency: number,
  stopped: () => boolean,
  start: Starter<A, B, E2, R2> | undefined,
  scope: Scope.Scope
): Effect.Effect<Effect.Effect<Chunk.Chunk<B>, Option.Option<E | E2>>, never, R | R2> => {
  // Inputs read but not started, in order; the place of an input is its position in the run.
  // The producer refills the inbox only once it is half empty: waking it costs a fiber resume.
  const inboxSize = Math.max(1024, concurrency * 4)
  let inbox: Array<A> = []
  let inboxHead = 0
  // Places given out but not yet handed to the stream (in the inbox, in flight, or done behind a
  // slow one) never exceed `window`: memory stays bounded whatever the number of inputs.
  const window = inboxSize + Math.max(64, concurrency * 8)
  const slots: Array<Slot<B, E | E2> | typeof pending> = new Array(window).fill(pending)
  let numbered = 0 // places given out (inputs read, and an input failure)
  let taken = 0 // inputs taken by workers
  let emitted = 0 // places moved to `ready` (every place before is resolved)
  let consumed = 0 // places handed to the stream
  let ready: Array<B> = []
  let failure: Cause.Cause<E | E2> | undefined
  let inputEnded = false
  let halted = false
  // Interrupted when the run halts: the rest of the input is never read (a stop on a range of a
  // billion URLs must not walk through it).
  let producer: Fiber.RuntimeFiber<void> | undefined
  const halt = () => {
    if (halted) return
    halted = true
    producer?.unsafeInterruptAsFork(FiberId.none)
  }
  let workersLeft = concurrency
  // Who is waiting: the stream for output, the workers for inputs, the producer for room.
  const output = makeSignal()
  const inboxFilled = makeSignal()
  const roomFreed = makeSignal()

  // Results go out in chunks of `outputBatch` when they come fast, and at most `flushDelayMs`
  // after the first one is ready when they come slowly: every chunk costs the stream a step and
  // the output a write (one per result capped throughput; one per event-loop turn was 600
  // chunks for 20,000 URLs). A quarter of the window, so the producer never waits on a chunk.
  const outputBatch = Math.max(16, Math.min(256, Math.floor(window / 4)))
  let flushTimer: ReturnType<typeof setTimeout> | undefined
  let flushDue = false
  const flushNow = () => {
    flushTimer = undefined
    flushDue = true
    output.wake()
  }
  const flushSoon = () => {
    flushTimer ??= setTimeout(flushNow, flushDelayMs)
  }
  const wakeOutputSoon = () => {
    if (!output.waiting()) return
    if (ready.length >= outputBatch) output.wake()
    else flushSoon()
  }

  /** Records how place `seq` ended, and moves every resolved place at the head to the output. */
  const resolve = (seq: number, slot: Slot<B, E | E2>) => {
    slots[seq % window] = slot
    if (seq !== emitted) return
    while (emitted < numbered && failure === undefined) {
      const at = emitted % window
      const next = slots[at]!
      if (next === pending) break
      slots[at] = pending
      emitted++
      if (next === skipped) continue
      if ("cause" in next) failure = next.cause
      else ready.push(next.value)
    }
    if (failure !== undefined) output.wake()
    else wakeOutputSoon()
  }

  /** Reads `items` from `from` into the inbox, as room allows. */
  const feed = (items: ReadonlyArray<A>, from: number): Effect.Effect<void> => {
    if (from >= items.length || halted) return Effect.void
    const inboxRoom = inboxSize - (inbox.length - inboxHead)
    const room = Math.min(window - (numbered - consumed), inboxRoom)
    if (room <= 0 || (inboxRoom < inboxSize / 2 && inboxRoom < items.length - from)) {
      return Effect.zipRight(
        roomFreed.wait,
        Effect.suspend(() => feed(items, from))
      )
    }
    const count = Math.min(room, items.length - from)
    for (let i = 0; i < count; i++) inbox.push(items[from + i]!)
    numbered += count
    inboxFilled.wake()
    return feed(items, from + count)
  }
  const produce = inputs.pipe(
    Stream.runForEachChunk((chunk) => feed(Chunk.toReadonlyArray(chunk), 0)),
    // A failure of the inputs takes the next place: the results before it are emitted first.
    Effect.catchAllCause((cause) =>
      Effect.sync(() => {
        // Interrupted by `halt`: the input simply ends there.
        if (halted && Cause.isInterruptedOnly(cause)) return
        resolve(numbered++, { cause })
      })
    ),
    Effect.ensuring(Effect.sync(() => {
      inputEnded = true
      inboxFilled.wake()
    }))
  )

  /** The place of the input `take` returned last. */
  let takenSeq = 0
  /**
   * Takes the next input and gives it its place, in one step so places follow input order; no
   * input when the inbox is empty or the run has stopped.
   */
  const take = (): A | typeof noInput => {
    if (halted || inboxHead === inbox.length) return noInput
    const input = inbox[inboxHead]!
    inboxHead++
    // The producer keeps the inbox from running dry, so it is compacted as it goes, not only
    // when empty: taken inputs must not stay referenced (memory would grow with the run).
    if (inboxHead === inbox.length) {
      inbox = []
      inboxHead = 0
    } else if (inboxHead >= inboxSize) {
      inbox = inbox.slice(inboxHead)
      inboxHead = 0
    }
    const seq = taken++
    if (roomFreed.waiting() && inbox.length - inboxHead <= inboxSize / 2) roomFreed.wake()
    if (stopped()) {
      halt()
      resolve(seq, skipped)
      return noInput
    }
    takenSeq = seq
    return input
  }

  /** Runs the work of place `seq` in the worker's fiber, then goes on. */
  const runInFiber = (effect: Effect.Effect<B, E2, R2>, seq: number): Effect.Effect<void, never, R2> =>
    Effect.matchCauseEffect(effect, {
      onSuccess: (value) => {
        resolve(seq, { value })
        return work
      },
      onFailure: (cause) => {
        halt()
        resolve(seq, { cause })
        return leave
      }
    })

  /**
   * Runs inputs one after another through `starter`, each started in the callback that ends the
   * previous one, until one needs the fiber or none is left to start now. One fiber step per
   * chain, not per input. Interrupting the worker cancels the input in flight.
   */
  const chain = (starter: Starter<A, B, E2, R2>, first: A, firstSeq: number): Effect.Effect<void, never, R2> =>
    Effect.async<void, never, R2>((resume) => {
      let input = first
      let seq = firstSeq
      let cancelCurrent: (() => void) | undefined
      let over = false // the fiber has been resumed (or interrupted): no more inputs here
      let starting = false // inside `starter`: a result that comes at once is looped, not recursed
      let next = false // the input started ended at once and another is ready
      const handOver = (effect: Effect.Effect<void, never, R2>) => {
        over = true
        cancelCurrent = undefined
        resume(effect)
      }
      const succeed = (value: B) => {
        if (over) return
        cancelCurrent = undefined
        resolve(seq, { value })
        const following = take()
        if (following === noInput) return handOver(work)
        input = following
        seq = takenSeq
        if (starting) next = true
        else startAll()
      }
      const continueWith = (effect: Effect.Effect<B, E2, R2>) => {
        if (!over) handOver(runInFiber(effect, seq))
      }
      const startAll = () => {
        starting = true
        do {
          next = false
          const cancel = starter(input, succeed, continueWith)
          if (!next && !over) cancelCurrent = cancel
        } while (next)
        starting = false
      }
      startAll()
      if (over) return
      return Effect.sync(() => {
        over = true
        cancelCurrent?.()
      })
    })

  const leave = Effect.sync(() => {
    workersLeft--
    if (workersLeft === 0) output.wake()
  })
  const work: Effect.Effect<void, never, R2> = Effect.suspend(() => {
    const input = take()
    if (input === noInput) {
      if (halted || inputEnded) return leave
      return Effect.zipRight(inboxFilled.wait, work)
    }
    return start === undefined ? runInFiber(f(input), takenSeq) : chain(start, input, takenSeq)
  })

  const pull: Effect.Effect<Chunk.Chunk<B>, Option.Option<E | E2>> = Effect.suspend(() => {
    // Everything emitted is now the stream's: the producer may read that many more.
    consumed = emitted
    roomFreed.wake()
    const finished = workersLeft === 0 && emitted === taken
    if (ready.length > 0 && (ready.length >= outputBatch || flushDue || finished || failure !== undefined)) {
      flushDue = false
      clearTimeout(flushTimer)
      flushTimer = undefined
      const out = ready
      ready = []
      return Effect.succeed(Chunk.unsafeFromArray(out))
    }
    if (failure !== undefined) return Effect.failCause(Cause.map(failure, Option.some))
    if (finished) return Effect.fail(Option.none())
    if (ready.length > 0) flushSoon()
    return Effect.zipRight(output.wait, pull)
  })

  return Effect.as(
    Effect.zipRight(
      Effect.tap(Effect.forkIn(produce, scope), (fiber) => {
        producer = fiber
        if (halted) fiber.unsafeInterruptAsFork(FiberId.none)
      }),
      // Each worker owns one interruption hook for the requests it runs, one after another.
      Effect.forEach(Array.from({ length: concurrency }), () => Effect.forkIn(withInFlight(work), scope), {
        discard: true
      })
    ),
    pull
  )
}
