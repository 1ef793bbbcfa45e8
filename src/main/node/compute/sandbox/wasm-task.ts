import { WgtError } from '../../../../shared/errors.js'
import type { TaskResult } from '../types.js'

export function runWasmTask (_module: Uint8Array, _input: Uint8Array, _budget: bigint, _memoryBytes: number): TaskResult {
  throw new WgtError('UNAVAILABLE', 'user WASM modules are not run by this build yet')
}
