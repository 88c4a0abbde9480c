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
import { Cause, Chunk, Deferred, Effect, Exit, FiberId, Option, Queue, type Scope, Stream } from "effect"

/** An input with its place in the run. */
interface Numbered<A> {
  readonly seq: number
  readonly value: A
}

/** The end of the inputs; a worker that takes it puts it back for the next one. */
const end: unique symbol = Symbol.for("volley/OrderedPool/end") as never

/** The inputs failed at this place. */
interface InputFailure<E> {
  readonly seq: number
  readonly cause: Cause.Cause<E>
}

/** A slot not yet resolved. */
const pending: unique symbol = Symbol.for("volley/OrderedPool/pending") as never
/** An input taken after a stop: it was not started and has no result. */
const skipped: unique symbol = Symbol.for("volley/OrderedPool/skipped") as never

/** How a slot was resolved: a result, a skip, or the failure that ends the stream. */
type Slot<B, E> = { readonly value: B } | typeof skipped | { readonly cause: Cause.Cause<E> }

export interface OrderedPoolOptions {
  /** Inputs in flight at once. */
  readonly concurrency: number
  /** When this turns true no new input is started; those started finish and are emitted. */
  readonly stopped: Effect.Effect<boolean>
}

/**
 * Runs `f` over `inputs` with at most `concurrency` calls in flight and emits the results in
 * input order. A failure of `f` (or of the inputs) ends the stream after the results before it.
 */
export const orderedPool = <A, B, E, R, E2, R2>(
  inputs: Stream.Stream<A, E, R>,
  f: (a: A) => Effect.Effect<B, E2, R2>,
  options: OrderedPoolOptions
): Stream.Stream<B, E | E2, R | R2> =>
  Stream.unwrapScoped(
    Effect.flatMap(Effect.scope, (scope) =>
      Effect.map(
        startPool(inputs, f, Math.max(1, options.concurrency), options.stopped, scope),
        (pull) => Stream.repeatEffectChunkOption(pull)
      ))
  )

/** Starts the producer and the workers in `scope`; returns the pull of the output. */
const startPool = <A, B, E, R, E2, R2>(
  inputs: Stream.Stream<A, E, R>,
  f: (a: A) => Effect.Effect<B, E2, R2>,
  concurrency: number,
  stopped: Effect.Effect<boolean>,
  scope: Scope.Scope
): Effect.Effect<Effect.Effect<Chunk.Chunk<B>, Option.Option<E | E2>>, never, R | R2> =>
  Effect.flatMap(
    Queue.bounded<Numbered<A> | InputFailure<E> | typeof end>(concurrency),
    (queue) => runPool(queue, inputs, f, concurrency, stopped, scope)
  )

const runPool = <A, B, E, R, E2, R2>(
  queue: Queue.Queue<Numbered<A> | InputFailure<E> | typeof end>,
  inputs: Stream.Stream<A, E, R>,
  f: (a: A) => Effect.Effect<B, E2, R2>,
  concurrency: number,
  stopped: Effect.Effect<boolean>,
  scope: Scope.Scope
): Effect.Effect<Effect.Effect<Chunk.Chunk<B>, Option.Option<E | E2>>, never, R | R2> => {
  // Inputs numbered but not yet emitted (in the queue, in flight, or done behind a slow one).
  const window = Math.max(64, concurrency * 8)
  const slots: Array<Slot<B, E | E2> | typeof pending> = new Array(window).fill(pending)
  let numbered = 0 // inputs given a place
  let emitted = 0 // places moved to `ready` (every place before is resolved)
  let consumed = 0 // places handed to the stream
  let ready: Array<B> = []
  let failure: Cause.Cause<E | E2> | undefined
  let halted = false
  let workersLeft = concurrency
  let outputSignal: Deferred.Deferred<void> | undefined
  let spaceSignal: Deferred.Deferred<void> | undefined

  const signal = (deferred: Deferred.Deferred<void> | undefined) => {
    if (deferred !== undefined) Deferred.unsafeDone(deferred, Exit.void)
  }
  const awaitOutput = Effect.suspend(() => Deferred.await(outputSignal ??= Deferred.unsafeMake(FiberId.none)))
  const awaitSpace = Effect.suspend(() => Deferred.await(spaceSignal ??= Deferred.unsafeMake(FiberId.none)))

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
    const waiting = outputSignal
    outputSignal = undefined
    signal(waiting)
  }

  /** Feeds `items` from `from`, never more than `window` places ahead of the stream. */
  const feed = (items: ReadonlyArray<A>, from: number): Effect.Effect<void> => {
    if (from >= items.length || halted) return Effect.void
    const room = window - (numbered - consumed)
    if (room <= 0) return Effect.zipRight(awaitSpace, Effect.suspend(() => feed(items, from)))
    const count = Math.min(room, items.length - from)
    const batch = new Array<Numbered<A>>(count)
    for (let i = 0; i < count; i++) batch[i] = { seq: numbered++, value: items[from + i]! }
    return Effect.zipRight(Queue.offerAll(queue, batch), Effect.suspend(() => feed(items, from + count)))
  }
  const produce = inputs.pipe(
    Stream.runForEachChunk((chunk) => feed(Chunk.toReadonlyArray(chunk), 0)),
    Effect.catchAllCause((cause) => Queue.offer(queue, { seq: numbered++, cause })),
    Effect.zipRight(Queue.offer(queue, end))
  )

  const leave = Effect.suspend(() => {
    workersLeft--
    if (workersLeft === 0) {
      const waiting = outputSignal
      outputSignal = undefined
      signal(waiting)
    }
    return Effect.void
  })
  const work: Effect.Effect<void, never, R2> = Effect.suspend(() =>
    halted ? leave : Effect.flatMap(Queue.take(queue), (item) => {
      if (item === end) return Effect.zipRight(Queue.offer(queue, end), leave)
      if ("cause" in item) {
        resolve(item.seq, { cause: item.cause })
        return Effect.zipRight(Queue.offer(queue, end), leave)
      }
      return Effect.flatMap(stopped, (stop) => {
        if (stop || halted) {
          halted = true
          resolve(item.seq, skipped)
          return leave
        }
        return Effect.flatMap(Effect.exit(f(item.value)), (exit) => {
          if (Exit.isSuccess(exit)) {
            resolve(item.seq, { value: exit.value })
          } else {
            halted = true
            resolve(item.seq, { cause: exit.cause })
          }
          return work
        })
      })
    })
  )

  const pull: Effect.Effect<Chunk.Chunk<B>, Option.Option<E | E2>> = Effect.suspend(() => {
    // Everything emitted is now the stream's: the producer may number that many more.
    consumed = emitted
    const waiting = spaceSignal
    spaceSignal = undefined
    signal(waiting)
    if (ready.length > 0) {
      const out = ready
      ready = []
      return Effect.succeed(Chunk.unsafeFromArray(out))
    }
    if (failure !== undefined) return Effect.failCause(Cause.map(failure, Option.some))
    if (workersLeft === 0) return Effect.fail(Option.none())
    return Effect.zipRight(awaitOutput, pull)
  })

  return Effect.as(
    Effect.zipRight(
      Effect.forkIn(produce, scope),
      Effect.forEach(Array.from({ length: concurrency }), () => Effect.forkIn(work, scope), { discard: true })
    ),
    pull
  )
}
