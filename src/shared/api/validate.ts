/**
 * Validation at the boundary, for whoever serves the API (the daemon's
 * WebSocket sessions, Electron's IPC binding): the renderer and the network
 * are untrusted, so every call's arguments are checked against its slice's
 * schema before the node sees them. The only place zod is loaded.
 */
import * as z from 'zod'
import { WgtError } from '../errors.js'
import { METHODS, isMethodName, type WgtMethodName, type WgtMethods } from './index.js'

const schemas = new Map<WgtMethodName, z.ZodType>()

function schemaFor (method: WgtMethodName): z.ZodType {
  let s = schemas.get(method)
  if (s == null) { s = METHODS[method].args(z); schemas.set(method, s) }
  return s
}

/** Validate untrusted arguments for a method; throws INVALID_INPUT naming the method and the problem. */
export function validateArgs<M extends WgtMethodName> (method: M, args: unknown): Parameters<WgtMethods[M]> {
  const parsed = schemaFor(method).safeParse(args)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? ` (argument ${issue.path.join('.')})` : ''
    throw new WgtError('INVALID_INPUT', `${method}: ${issue?.message ?? 'invalid arguments'}${where}`)
  }
  return parsed.data as Parameters<WgtMethods[M]>
}

/** Check one argument of a method on its own (the CLI checks a flag before it contacts the daemon). */
export function checkArgs (method: WgtMethodName, args: unknown[]): boolean {
  return schemaFor(method).safeParse(args).success
}

/** Call a method on an implementation after validating its arguments: the one dispatch every transport uses. */
export async function dispatch (impl: Partial<WgtMethods>, method: unknown, args: unknown): Promise<unknown> {
  if (!isMethodName(method)) throw new WgtError('INVALID_INPUT', `unknown method ${JSON.stringify(method)}`)
  const valid = validateArgs(method, args)
  const fn = impl[method] as ((...a: unknown[]) => Promise<unknown>) | undefined
  if (typeof fn !== 'function') throw new WgtError('UNAVAILABLE', `${method} is not available here`)
  return await fn.apply(impl, valid)
}
