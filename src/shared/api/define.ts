/**
 * The building blocks of an API slice (DESIGN.md §1, §4): a method is its
 * argument schema plus metadata, an event is its payload type. Slices never
 * import zod at run time: a schema is a function of the zod namespace, built
 * only where arguments are validated (the node's transports, validate.ts), so
 * a client that only calls (the `wgt` command) starts without loading zod.
 */
import type * as Zod from 'zod'

/** The zod namespace, handed to schema builders by whoever validates. */
export type Z = typeof Zod

/**
 * How long a client waits for the answer:
 * - 'quick' (60 s): answered from the node's own state, or one round trip to a peer;
 * - 'slow' (180 s): asks many peers (health: every holder of every segment);
 * - 'wait': no deadline; it ends with the answer or when the connection drops
 *   (waiting for an operation that moves a whole file).
 * A function gets the call's arguments (ping: the probe count).
 */
export type TimeoutClass = 'quick' | 'slow' | 'wait'
export const TIMEOUT_MS: Readonly<Record<TimeoutClass, number | null>> = { quick: 60_000, slow: 180_000, wait: null }

/** A type carried by a value that is never read: the result of a method, the payload of an event. */
export interface Carries<T> { readonly __type?: T }
export function returns<T> (): Carries<T> { return {} }
export function carries<T> (): Carries<T> { return {} }

export interface MethodDef<A extends readonly unknown[] = any, R = any> {
  /** the argument tuple, validated at the boundary; built from the zod namespace */
  readonly args: (z: Z) => Zod.ZodType<A>
  readonly result: Carries<R>
  readonly timeout: TimeoutClass | ((args: A) => number)
  /**
   * Starts long work and answers `{ operation }` at once (see operations.ts):
   * progress comes as 'operation:update' events, and the work is cancelled
   * when the client that started it goes away.
   */
  readonly longRunning: boolean
}

export function method<S extends Zod.ZodType<readonly unknown[]>, R> (def: {
  args: (z: Z) => S
  result: Carries<R>
  timeout?: TimeoutClass | ((args: Zod.output<S>) => number)
  longRunning?: boolean
}): MethodDef<Zod.output<S>, R> {
  return { args: def.args as unknown as (z: Z) => Zod.ZodType<Zod.output<S>>, result: def.result, timeout: def.timeout ?? 'quick', longRunning: def.longRunning ?? false }
}

export interface SliceDef {
  readonly name: string
  readonly methods: Readonly<Record<string, MethodDef>>
  readonly events: Readonly<Record<string, Carries<unknown>>>
}

/** A slice's methods as functions: what its node module implements and what a client calls. */
export type MethodsOf<D extends Readonly<Record<string, MethodDef>>> = {
  [K in keyof D]: D[K] extends MethodDef<infer A, infer R> ? (...args: A) => Promise<R> : never
}

export type EventsOf<D extends Readonly<Record<string, Carries<unknown>>>> = {
  [K in keyof D]: D[K] extends Carries<infer T> ? T : never
}

/** What a node module returns for its slice. */
export type SliceApi<S extends SliceDef> = MethodsOf<S['methods']>
