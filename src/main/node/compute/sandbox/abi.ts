/**
 * The user-module ABI (README, "Compute"), checked on the module as
 * submitted, before anything of it runs:
 *
 *   imports  exactly one: env.memory, a memory (the host makes it, with its
 *            maximum at the task's memory cap); nothing else — no functions,
 *            so the module has no way to reach the host at all
 *   exports  alloc(len: i32) -> i32   a pointer to len free bytes for the input
 *            run(ptr: i32, len: i32) -> i32
 *                                     computes; returns the output's length, or a
 *                                     negative number when it rejects its input
 *            output() -> i32          the output's pointer, after run
 *   no start function; no names starting with "__wgt" (the metering's own)
 *
 * This file checks what the engine can tell (validity, imports, export
 * kinds) synchronously and cheaply; meter.ts checks the rest with binaryen
 * (signatures, features, start function) while it instruments the module.
 */
import { MAX_MODULE_BYTES } from '../../../../shared/api/compute.js'
import { WgtError } from '../../../../shared/errors.js'

export const ABI_EXPORTS = ['alloc', 'run', 'output'] as const
export const RESERVED_PREFIX = '__wgt'

interface Descriptor { module?: string, name: string, kind: string }
interface WasmModuleApi {
  validate: (bytes: Uint8Array) => boolean
  Module: (new (bytes: Uint8Array) => object) & {
    imports: (m: object) => Descriptor[]
    exports: (m: object) => Descriptor[]
  }
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmModuleApi }).WebAssembly

function invalid (message: string): WgtError {
  return new WgtError('INVALID_INPUT', `WASM module: ${message}`)
}

/** Throws INVALID_INPUT with what is wrong, naming the offending import or export. */
export function checkModuleAbi (bytes: Uint8Array): void {
  if (bytes.length > MAX_MODULE_BYTES) throw invalid(`${bytes.length} bytes, over the ${MAX_MODULE_BYTES}-byte limit`)
  if (!wasmApi.validate(bytes)) throw invalid('not a valid WebAssembly module (WebAssembly.validate refused it)')
  const mod = new wasmApi.Module(bytes)
  const imports = wasmApi.Module.imports(mod)
  const others = imports.filter(i => !(i.module === 'env' && i.name === 'memory' && i.kind === 'memory'))
  if (others.length > 0) {
    const list = others.map(i => `${i.module ?? ''}.${i.name} (${i.kind})`).join(', ')
    throw invalid(`imports ${list}; the ABI allows only env.memory (a memory)`)
  }
  if (imports.length === 0) throw invalid('does not import env.memory; the ABI gives the module its memory as the import env.memory')
  const exports = wasmApi.Module.exports(mod)
  for (const name of ABI_EXPORTS) {
    const e = exports.find(x => x.name === name)
    if (e === undefined) throw invalid(`does not export ${name}; the ABI needs alloc, run and output`)
    if (e.kind !== 'function') throw invalid(`exports ${name} as a ${e.kind}, not a function`)
  }
  const reserved = exports.find(e => e.name.startsWith(RESERVED_PREFIX))
  if (reserved !== undefined) throw invalid(`exports ${reserved.name}: names starting with ${RESERVED_PREFIX} are reserved`)
}
