import wabtInit from 'wabt'

/** Compiles WebAssembly text for tests (wabt, every feature on so tests can build modules the ABI refuses). */
export async function wat (text: string): Promise<Uint8Array> {
  const wabt = await wabtInit()
  const mod = wabt.parseWat('test.wat', text, { simd: true, threads: true, bulk_memory: true, exceptions: true, reference_types: true, multi_value: true, tail_call: true })
  try {
    mod.validate()
    return new Uint8Array(mod.toBinary({ log: false, write_debug_names: true }).buffer)
  } finally {
    mod.destroy()
  }
}

/** A module following the ABI, 2 pages of memory, the input at 64 KiB, the output at 0; run(ptr, len)'s body is `body` (locals $i, $n declared). */
export async function abiModule (body: string, extra = '', imports = ''): Promise<Uint8Array> {
  return await wat(`(module
    ${imports}
    (import "env" "memory" (memory 2))
    (func (export "alloc") (param $len i32) (result i32) (i32.const 65536))
    (func (export "output") (result i32) (i32.const 0))
    (func (export "run") (param $ptr i32) (param $len i32) (result i32) (local $i i32) (local $n i32)
      ${body})
    ${extra})`)
}
