import { describe, expect, it } from 'vitest'
import type { ComputeJob } from '../../../shared/api/index.js'
import { formatJob } from '../commands/compute.js'
import { exitCodeFor } from '../exit-codes.js'
import { parseArgv } from '../program.js'

async function parsed (argv: string[]): Promise<unknown> {
  const p = await parseArgv(['--data-dir', '/d', ...argv], {}, '/w')
  return p.kind === 'run' ? p.command : p
}

async function usageError (argv: string[]): Promise<string> {
  try {
    await parseArgv(argv, { HOME: '/home/u' }, '/w')
  } catch (err) {
    expect(err).toMatchObject({ code: 'INVALID_INPUT' })
    expect(exitCodeFor((err as { code: 'INVALID_INPUT' }).code)).toBe(2)
    return (err as Error).message
  }
  throw new Error(`parsed without error: ${argv.join(' ')}`)
}

describe('compute command line', () => {
  it('parses the submit forms into the API\'s spec, paths made absolute', async () => {
    expect(await parsed(['compute', 'submit', '--matmul', '512', '--redundancy', '3', '--json'])).toEqual({
      kind: 'compute submit', spec: { kernel: 'matmul', n: 512, redundancy: 3 }, detach: false, dataDir: '/d', json: true
    })
    expect(await parsed(['compute', 'submit', '--wasm', 'm.wasm', '--input', 'in.txt', '--budget', '1000', '--timeout-s', '5'])).toMatchObject({
      spec: { kernel: 'wasm', module: '/w/m.wasm', input: '/w/in.txt', budget: 1000, timeoutS: 5 }
    })
    expect(await parsed(['compute', 'submit', '--a', 'a.wgtm', '--b', '/x/b.wgtm', '--detach'])).toMatchObject({
      spec: { kernel: 'matmul', a: '/w/a.wgtm', b: '/x/b.wgtm' }, detach: true
    })
  })

  it('refuses bad flags before a daemon is contacted', async () => {
    expect(await usageError(['compute', 'submit'])).toContain('give exactly one of --matmul N')
    expect(await usageError(['compute', 'submit', '--matmul', '4', '--wasm', 'm'])).toContain('give exactly one of')
    expect(await usageError(['compute', 'submit', '--matmul', '4097'])).toContain('--matmul must be an integer from 1 to 4096')
    expect(await usageError(['compute', 'submit', '--matmul', '-1'])).toContain('--matmul needs a value')
    expect(await usageError(['compute', 'submit', '--matmul', '8', '--redundancy', '6'])).toContain('--redundancy must be an integer from 1 to 5')
    expect(await usageError(['compute', 'submit', '--wasm', 'm.wasm'])).toContain('--wasm and --input go together')
    expect(await usageError(['compute', 'submit', '--a', 'a'])).toContain('--a and --b go together')
    expect(await usageError(['compute', 'submit', '--matmul', '8', '--budget', '5'])).toContain('--budget and --memory-mb are for --wasm jobs')
    expect(await usageError(['compute', 'status', 'a/b'])).toContain('bad job id')
    expect(await usageError(['compute', 'settings', '--enable', '--disable'])).toContain('cannot go together')
    expect(await usageError(['compute', 'settings', '--memory-mb', '8'])).toContain('--memory-mb must be an integer from 16 to 4096')
  })

  it('parses settings into a patch with only the flags given', async () => {
    expect(await parsed(['compute', 'settings'])).toMatchObject({ patch: {} })
    expect(await parsed(['compute', 'settings', '--disable', '--max-tasks', '2', '--idle-only'])).toMatchObject({ patch: { enabled: false, maxTasks: 2, idleOnly: true } })
    expect(await parsed(['compute', 'result', 'abc_-1', '-o', 'out.wgtm'])).toMatchObject({ id: 'abc_-1', out: '/w/out.wgtm' })
  })

  it('every compute command has help', async () => {
    const main = await parseArgv(['--help'])
    for (const name of ['submit', 'status', 'result', 'cancel', 'list', 'settings', 'contribution']) {
      expect(main.kind === 'help' && main.text).toMatch(new RegExp(`^ {2}compute ${name} `, 'm'))
    }
  })

  it('shows a job\'s workers, verification and result', () => {
    const job: ComputeJob = {
      id: 'j1', kernel: 'matmul', label: 'matmul 512×512', state: 'done', redundancy: 1,
      tasks: { total: 4, done: 4, running: 0 }, fraction: 1,
      workers: [{ peerId: '12D3KooWpeer', self: false, runs: 3, rejected: 1, cpuMs: 1500 }, { peerId: 'me', self: true, runs: 2, rejected: 0, cpuMs: 900 }],
      verification: { extraRuns: 1, mismatches: 0, freivalds: { checked: 5, rounds: 10, failed: 1 } },
      cpuMs: 2400, createdAt: 0, endedAt: 3000, result: { bytes: 2097168, sha256: 'ab'.repeat(32), rows: 512, cols: 512 }, error: null
    }
    const text = formatJob(job)
    expect(text).toContain('12D3KooWpeer  3 runs, 1 REJECTED')
    expect(text).toContain('this node  2 runs')
    expect(text).toContain('Freivalds 5 checked (10 rounds), 1 failed')
    expect(text).toContain('512×512 matrix')
    expect(text).toContain(`sha256    ${'ab'.repeat(32)}`)
  })
})
