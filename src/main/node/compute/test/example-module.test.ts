import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { DEFAULT_TASK_BUDGET } from '../../../../shared/api/compute.js'
import { checkModuleAbi } from '../sandbox/abi.js'
import { runWasmTask } from '../sandbox/wasm-task.js'
// @ts-expect-error plain JS build script without types
import { EXAMPLES, buildExample } from '../../../../../scripts/build-wasm.js'

const examples = new URL('../../../../../examples/wasm/', import.meta.url)
const MEMORY = 64 * 2 ** 20
const run = async (input: string, budget = BigInt(DEFAULT_TASK_BUDGET)): Promise<unknown> => {
  const module = new Uint8Array(await readFile(new URL('primes.wasm', examples)))
  return await runWasmTask(module, new TextEncoder().encode(input), budget, MEMORY)
}
const ok = (output: string): unknown => ({ ok: true, output: new TextEncoder().encode(output) })

describe('examples/wasm/primes', () => {
  it('the committed primes.wasm is exactly what primes.wat compiles to, and follows the ABI', async () => {
    const committed = await readFile(new URL('primes.wasm', examples))
    const built = await buildExample((EXAMPLES as Array<{ out: string }>).find(e => e.out === 'primes.wasm'))
    expect(Buffer.compare(built, committed)).toBe(0)
    expect(() => { checkModuleAbi(new Uint8Array(committed)) }).not.toThrow()
  })

  it('counts primes per line of the example input', async () => {
    const input = await readFile(new URL('primes-input.txt', examples), 'utf8')
    // checked against a Python count by trial division
    expect(await run(input)).toEqual(ok('4\n25\n0\n21\n75\n10\n'))
  })

  it('accepts blank lines, blanks and CRLF; rejects anything else', async () => {
    expect(await run('  2\t 3  \r\n\n\n7 7')).toEqual(ok('2\n1\n'))
    expect(await run('')).toEqual(ok(''))
    for (const bad of ['1', '1 x', '5 4', '1 4294967296', '1 2 3', '-1 5', '1 2\r']) {
      expect(await run(bad), bad).toMatchObject({ ok: false, verdict: 'invalid' })
    }
  })

  it('a range too big for its budget ends with verdict budget', async () => {
    expect(await run('0 4000000000', 10_000_000n)).toMatchObject({ ok: false, verdict: 'budget' })
  })
})
