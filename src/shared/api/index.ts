/**
 * The whole API between a UI (renderer, browser, CLI) and the node, composed
 * from one slice per capability (DESIGN.md §1). Adding a capability adds its
 * slice file and one line to SLICES; the method table, the event names, the
 * types and the client timeouts all follow from it.
 */
import { calls } from './calls.js'
import { chat } from './chat.js'
import { compute } from './compute.js'
import { TIMEOUT_MS, type EventsOf, type MethodDef, type MethodsOf } from './define.js'
import { files } from './files.js'
import { guard } from './guard.js'
import { metrics } from './metrics.js'
import { net } from './net.js'
import { operations } from './operations.js'
import { session } from './session.js'
import { settings } from './settings.js'
import { storage } from './storage.js'

export const SLICES = [
  net,
  guard,
  metrics,
  storage,
  files,
  chat,
  calls,
  compute,
  operations,
  settings,
  session
] as const

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never
type MethodDefs = UnionToIntersection<(typeof SLICES)[number]['methods']>
type EventDefs = UnionToIntersection<(typeof SLICES)[number]['events']>

export type WgtMethods = MethodsOf<MethodDefs>
export type WgtMethodName = keyof WgtMethods & string
export type WgtEventMap = EventsOf<EventDefs>
export type WgtEventName = keyof WgtEventMap & string

export interface WgtApi extends WgtMethods {
  /** subscribe; returns the unsubscribe function */
  on: <E extends WgtEventName>(event: E, listener: (data: WgtEventMap[E]) => void) => () => void
}

/** Methods the node implements; the rest (the session slice) belong to the transport carrying the API. */
export type NodeMethodName = Exclude<WgtMethodName, keyof typeof session.methods>
export type NodeMethods = Pick<WgtMethods, NodeMethodName>
export interface NodeApi extends NodeMethods {
  on: WgtApi['on']
}
export const SESSION_METHODS = Object.keys(session.methods) as Array<keyof typeof session.methods>

export const METHODS: Readonly<Record<WgtMethodName, MethodDef>> = Object.freeze(Object.assign({}, ...SLICES.map(s => s.methods)))
export const METHOD_NAMES = Object.keys(METHODS) as WgtMethodName[]
export const EVENT_NAMES = SLICES.flatMap(s => Object.keys(s.events)) as WgtEventName[]
/** Methods that start an operation and answer { operation } (see operations.ts). */
export const LONG_RUNNING = new Set(METHOD_NAMES.filter(m => METHODS[m].longRunning))

export function isMethodName (name: unknown): name is WgtMethodName {
  return typeof name === 'string' && Object.hasOwn(METHODS, name)
}

export function isEventName (name: unknown): name is WgtEventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name)
}

/** How long a client waits for `method` called with `args`; null = until the answer or the connection ends. */
export function callTimeout (method: WgtMethodName, args: readonly unknown[]): number | null {
  const t = METHODS[method].timeout
  return typeof t === 'function' ? t(args as never) : TIMEOUT_MS[t]
}

export type { Carries, MethodDef, SliceApi, TimeoutClass } from './define.js'
export * from './calls.js'
export * from './chat.js'
export * from './compute.js'
export * from './files.js'
export * from './guard.js'
export * from './metrics.js'
export * from './net.js'
export * from './operations.js'
export * from './session.js'
export * from './settings.js'
export * from './storage.js'
