/**
 * wgt compute submit | status | result | cancel | list | settings |
 * contribution: jobs this node runs on its peers (and itself), and what it
 * contributes to others' jobs, under the contributor settings.
 */
import {
  COMPUTE_LIMITS, MAX_MATMUL_N, MAX_REDUNDANCY, MAX_TASK_BUDGET,
  type ComputeContribution, type ComputeJob, type ComputeSettings, type ComputeSubmit
} from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { clientCommand } from '../client-command.js'
import { bytes, duration, printable } from '../format.js'
import { absolute, integer, stringValue, usage } from '../options.js'
import { runOperation } from '../progress.js'
import type { CommandSpec } from './command.js'

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/

function jobId (raw: string | undefined, command: string): string {
  const id = raw ?? ''
  if (!JOB_ID.test(id)) throw usage(`bad job id ${JSON.stringify(id)}: a job id is what \`wgt compute submit\` printed (letters, digits, - and _)`, command)
  return id
}

function path (raw: unknown, flag: string, cwd: string, command: string): string | undefined {
  const v = stringValue(raw)
  if (v === '') throw usage(`${flag} must not be empty`, command)
  return v == null ? undefined : absolute(v, cwd)
}

const submit: CommandSpec = clientCommand({
  name: 'compute submit',
  summary: 'run a job on peers: a matrix multiply or a WASM module over an input',
  usage: '(--matmul N | --a FILE --b FILE | --wasm FILE --input FILE) [--redundancy R] [--timeout-s S] [--retries N] [--budget N] [--memory-mb N] [--detach] [--data-dir DIR] [--json]',
  description: `Start a job and wait for it, showing its progress on stderr (Ctrl-C cancels it).
--matmul N multiplies two random N×N matrices made on this node; --a and --b multiply two
files in the WGT matrix format (README). --wasm runs a module with the ABI in the README
over --input, cut at newlines into tasks. The node splits the job into tasks, sends each to
the best worker when it goes out (this node is one), and verifies every result: with
--redundancy R > 1, R distinct workers run each task and a majority must agree; with 1
(default) proven workers run tasks alone with random spot checks and new ones are checked
against a second worker. Matrix products are also checked here with Freivalds' algorithm.
Prints the job with its result's size and SHA-256; \`wgt compute result ID -o PATH\` saves it.
--detach prints the job id at once instead of waiting.`,
  options: [
    { flags: '--matmul <N>', help: `multiply two random N×N matrices, 1 to ${MAX_MATMUL_N}` },
    { flags: '--a <FILE>', help: 'matrix A (WGT matrix format)' },
    { flags: '--b <FILE>', help: 'matrix B (WGT matrix format)' },
    { flags: '--wasm <FILE>', help: 'a WASM module with the compute ABI' },
    { flags: '--input <FILE>', help: 'the input of --wasm, split at newlines' },
    { flags: '--redundancy <R>', help: `workers per task, 1 to ${MAX_REDUNDANCY} (default 1: adaptive)` },
    { flags: '--timeout-s <S>', help: `time limit per task on a worker, ${COMPUTE_LIMITS.timeoutS.min} to ${COMPUTE_LIMITS.timeoutS.max} s (default 120)` },
    { flags: '--retries <N>', help: 'times a failed task goes to another worker, 0 to 10 (default 3)' },
    { flags: '--budget <N>', help: `--wasm: instructions per task, 1 to ${MAX_TASK_BUDGET} (default 10^10)` },
    { flags: '--memory-mb <N>', help: `--wasm: memory cap per task, ${COMPUTE_LIMITS.memoryMb.min} to ${COMPUTE_LIMITS.memoryMb.max} MiB (default 256)` },
    { flags: '--detach', help: 'print the job id and return at once' }
  ],
  parse: ({ opts, cwd, dataDir, json }) => {
    const cmd = 'compute submit'
    const n = integer(stringValue(opts.matmul), '--matmul', 1, MAX_MATMUL_N)
    const a = path(opts.a, '--a', cwd, cmd)
    const b = path(opts.b, '--b', cwd, cmd)
    const wasm = path(opts.wasm, '--wasm', cwd, cmd)
    const input = path(opts.input, '--input', cwd, cmd)
    const kinds = [n != null, a != null || b != null, wasm != null || input != null].filter(Boolean).length
    if (kinds !== 1) throw usage('give exactly one of --matmul N, --a FILE --b FILE, or --wasm FILE --input FILE', cmd)
    const common = {
      redundancy: integer(stringValue(opts.redundancy), '--redundancy', 1, MAX_REDUNDANCY),
      timeoutS: integer(stringValue(opts.timeoutS), '--timeout-s', COMPUTE_LIMITS.timeoutS.min, COMPUTE_LIMITS.timeoutS.max),
      retries: integer(stringValue(opts.retries), '--retries', 0, 10)
    }
    const budget = integer(stringValue(opts.budget), '--budget', 1, MAX_TASK_BUDGET)
    const memoryMb = integer(stringValue(opts.memoryMb), '--memory-mb', COMPUTE_LIMITS.memoryMb.min, COMPUTE_LIMITS.memoryMb.max)
    if (wasm == null && (budget != null || memoryMb != null)) throw usage('--budget and --memory-mb are for --wasm jobs', cmd)
    let spec: ComputeSubmit
    if (n != null) spec = { kernel: 'matmul', n, ...defined(common) }
    else if (a != null || b != null) {
      if (a == null || b == null) throw usage('--a and --b go together', cmd)
      spec = { kernel: 'matmul', a, b, ...defined(common) }
    } else {
      if (wasm == null || input == null) throw usage('--wasm and --input go together', cmd)
      spec = { kernel: 'wasm', module: wasm, input, ...defined({ ...common, budget, memoryMb }) }
    }
    return { kind: cmd, spec, detach: opts.detach === true, dataDir, json }
  },
  call: async (api, cmd, io): Promise<ComputeJob | { id: string }> => {
    if (cmd.detach === true) return { id: (await api.submitCompute(cmd.spec)).operation }
    let id: string | null = null
    try {
      const op = await runOperation(api, io, async () => {
        const ref = await api.submitCompute(cmd.spec)
        id = ref.operation
        return ref
      })
      return await api.getComputeJob(op.id)
    } catch (err) {
      // a job that ran and failed: show it (workers, errors) before the error ends the command
      if (id != null && err instanceof WgtError && err.code !== 'NOT_FOUND') {
        const job = await api.getComputeJob(id).catch(() => null)
        if (job != null && !cmd.json) io.err(formatJob(job))
      }
      throw err
    }
  },
  text: r => 'state' in r ? formatJob(r) : r.id
})

const status: CommandSpec = clientCommand({
  name: 'compute status',
  summary: 'a compute job: state, progress, workers, verification, result',
  usage: 'ID [--data-dir DIR] [--json]',
  description: 'Show job ID: its state and tasks, the workers that ran them (runs, rejected results,\nCPU time), what verification cost, and when done its result\'s size and SHA-256.',
  args: [{ name: 'ID' }],
  parse: ({ args, dataDir, json }) => ({ kind: 'compute status', id: jobId(args[0], 'compute status'), dataDir, json }),
  call: async (api, cmd) => await api.getComputeJob(cmd.id),
  text: formatJob
})

const result: CommandSpec = clientCommand({
  name: 'compute result',
  summary: 'save a done job\'s result to a file',
  usage: 'ID [-o PATH] [--data-dir DIR] [--json]',
  description: `Save the result of job ID (a WGT matrix for a matmul, the outputs of the tasks in order for a
WASM job) to PATH, or to a directory PATH, or by default to the daemon's download directory.
It is re-hashed on the way and must match the SHA-256 the job recorded.`,
  args: [{ name: 'ID' }],
  options: [{ flags: '-o, --output <PATH>', help: 'where to save it' }],
  parse: ({ args, opts, cwd, dataDir, json }) => ({
    kind: 'compute result', id: jobId(args[0], 'compute result'), out: path(opts.output, '-o', cwd, 'compute result'), dataDir, json
  }),
  call: async (api, cmd) => await api.saveComputeResult(cmd.id, cmd.out),
  text: (r: { path: string, bytes: number, sha256: string }) => [`saved   ${printable(r.path)}`, `size    ${bytes(r.bytes)} (${r.bytes} bytes)`, `sha256  ${r.sha256}`].join('\n')
})

const cancel: CommandSpec = clientCommand({
  name: 'compute cancel',
  summary: 'stop a running job',
  usage: 'ID [--data-dir DIR] [--json]',
  description: 'Stop job ID: its tasks in flight are aborted on their workers. Cancelling a job that\nalready ended is not an error.',
  args: [{ name: 'ID' }],
  parse: ({ args, dataDir, json }) => ({ kind: 'compute cancel', id: jobId(args[0], 'compute cancel'), dataDir, json }),
  call: async (api, cmd) => {
    await api.cancelComputeJob(cmd.id)
    return await api.getComputeJob(cmd.id)
  },
  text: (j: ComputeJob) => `${j.id}  ${j.state === 'running' ? 'cancelling' : j.state}`
})

const list: CommandSpec = clientCommand({
  name: 'compute list',
  summary: 'this node\'s compute jobs, newest first',
  usage: '[--data-dir DIR] [--json]',
  description: 'List the jobs of this node: running ones and the last 100 that ended.',
  parse: ({ dataDir, json }) => ({ kind: 'compute list', dataDir, json }),
  call: async (api) => await api.listComputeJobs(),
  text: (jobs: ComputeJob[]) => jobs.length === 0
    ? 'no compute jobs yet'
    : jobs.map(j => `${j.id}  ${j.state.padEnd(9)}  ${String(j.tasks.done).padStart(4)}/${j.tasks.total} tasks  ${new Date(j.createdAt).toISOString()}  ${printable(j.label)}`).join('\n')
})

const settings: CommandSpec = clientCommand({
  name: 'compute settings',
  summary: 'what this node runs for others: on/off, tasks at once, memory, time, idle only',
  usage: '[--enable|--disable] [--max-tasks N] [--memory-mb N] [--timeout-s N] [--idle-only|--always] [--idle-load P] [--data-dir DIR] [--json]',
  description: `Show or change the contributor settings: whether this node takes tasks from others at all
(guard's compute policy says from whom: \`wgt policy\`), how many at once, the memory and time
one task may use, and whether to take tasks only while the rest of the computer is idle (its
CPU load, not counting our own tasks, below --idle-load percent).`,
  options: [
    { flags: '--enable', help: 'take tasks from others' },
    { flags: '--disable', help: 'take no tasks from others' },
    { flags: '--max-tasks <N>', help: `tasks at once, ${COMPUTE_LIMITS.maxTasks.min} to ${COMPUTE_LIMITS.maxTasks.max}` },
    { flags: '--memory-mb <N>', help: `WASM memory per task, ${COMPUTE_LIMITS.memoryMb.min} to ${COMPUTE_LIMITS.memoryMb.max} MiB` },
    { flags: '--timeout-s <N>', help: `time per task, ${COMPUTE_LIMITS.timeoutS.min} to ${COMPUTE_LIMITS.timeoutS.max} s` },
    { flags: '--idle-only', help: 'take tasks only while the computer is otherwise idle' },
    { flags: '--always', help: 'take tasks whatever the computer\'s load' },
    { flags: '--idle-load <P>', help: `"idle" means a load below P percent, ${COMPUTE_LIMITS.idleLoadPercent.min} to ${COMPUTE_LIMITS.idleLoadPercent.max}` }
  ],
  parse: ({ opts, dataDir, json }) => {
    const cmd = 'compute settings'
    if (opts.enable === true && opts.disable === true) throw usage('--enable and --disable cannot go together', cmd)
    if (opts.idleOnly === true && opts.always === true) throw usage('--idle-only and --always cannot go together', cmd)
    const patch: Partial<ComputeSettings> = defined({
      enabled: opts.enable === true ? true : opts.disable === true ? false : undefined,
      maxTasks: integer(stringValue(opts.maxTasks), '--max-tasks', COMPUTE_LIMITS.maxTasks.min, COMPUTE_LIMITS.maxTasks.max),
      memoryMb: integer(stringValue(opts.memoryMb), '--memory-mb', COMPUTE_LIMITS.memoryMb.min, COMPUTE_LIMITS.memoryMb.max),
      timeoutS: integer(stringValue(opts.timeoutS), '--timeout-s', COMPUTE_LIMITS.timeoutS.min, COMPUTE_LIMITS.timeoutS.max),
      idleOnly: opts.idleOnly === true ? true : opts.always === true ? false : undefined,
      idleLoadPercent: integer(stringValue(opts.idleLoad), '--idle-load', COMPUTE_LIMITS.idleLoadPercent.min, COMPUTE_LIMITS.idleLoadPercent.max)
    })
    return { kind: cmd, patch, dataDir, json }
  },
  call: async (api, cmd) => Object.keys(cmd.patch).length > 0 ? await api.updateComputeSettings(cmd.patch) : await api.getComputeSettings(),
  text: (s: ComputeSettings) => [
    `contribute  ${s.enabled ? 'on' : 'off'}`,
    `tasks       at most ${s.maxTasks} at once`,
    `memory      ${s.memoryMb} MiB per task`,
    `time        ${s.timeoutS} s per task`,
    `when        ${s.idleOnly ? `only while the computer's load is below ${s.idleLoadPercent}%` : 'always'}`
  ].join('\n')
})

const contribution: CommandSpec = clientCommand({
  name: 'compute contribution',
  summary: 'tasks this node runs and ran for others, and the totals',
  usage: '[--data-dir DIR] [--json]',
  description: 'Show the tasks running here for other peers, the recent ones, and the totals contributed.',
  parse: ({ dataDir, json }) => ({ kind: 'compute contribution', dataDir, json }),
  call: async (api) => await api.getComputeContribution(),
  text: formatContribution
})

export const computeCommands: CommandSpec[] = [submit, status, result, cancel, list, settings, contribution]

/** the keys whose value is not undefined (an API patch must not carry undefined: JSON would make it null) */
function defined<T extends Record<string, unknown>> (o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> }
}

export function formatJob (j: ComputeJob): string {
  const lines = [
    `job       ${j.id}  ${printable(j.label)}`,
    `state     ${j.state}${j.endedAt != null ? ` after ${duration(j.endedAt - j.createdAt)}` : ''}`,
    `tasks     ${j.tasks.done}/${j.tasks.total} done, ${j.tasks.running} running (${Math.floor(j.fraction * 100)}%)`,
    `redundancy ${j.redundancy === 1 ? '1 (adaptive)' : j.redundancy}`
  ]
  for (const w of j.workers) {
    lines.push(`  worker  ${w.self ? 'this node' : w.peerId}  ${w.runs} run${w.runs === 1 ? '' : 's'}${w.rejected > 0 ? `, ${w.rejected} REJECTED` : ''}  cpu ${duration(w.cpuMs)}`)
  }
  const v = j.verification
  const fv = v.freivalds != null ? `, Freivalds ${v.freivalds.checked} checked (${v.freivalds.rounds} rounds), ${v.freivalds.failed} failed` : ''
  lines.push(`verified  ${v.extraRuns} extra run${v.extraRuns === 1 ? '' : 's'}, ${v.mismatches} mismatch${v.mismatches === 1 ? '' : 'es'}${fv}`)
  lines.push(`cpu       ${duration(j.cpuMs)}`)
  if (j.result != null) {
    const shape = j.result.rows != null && j.result.cols != null ? ` (${j.result.rows}×${j.result.cols} matrix)` : ''
    lines.push(`result    ${bytes(j.result.bytes)}${shape}`, `sha256    ${j.result.sha256}`)
  }
  if (j.error != null) lines.push(`error     ${j.error.code}: ${printable(j.error.message)}`)
  return lines.join('\n')
}

export function formatContribution (c: ComputeContribution): string {
  const t = c.totals
  const task = (x: ComputeContribution['running'][number]): string =>
    `  ${x.kernel.padEnd(6)}  ${x.requester}  ${bytes(x.inputBytes)} in  cpu ${duration(x.cpuMs)}  ${x.state}${x.error != null ? `: ${printable(x.error)}` : ''}`
  return [
    `status    ${c.paused ?? 'taking tasks'}`,
    `totals    ${t.tasks} tasks (${t.failed} failed), cpu ${duration(t.cpuMs)}, ${bytes(t.inputBytes)} in, ${bytes(t.outputBytes)} out`,
    ...(c.running.length > 0 ? ['running:', ...c.running.map(task)] : []),
    ...(c.recent.length > 0 ? ['recent:', ...c.recent.slice(0, 10).map(task)] : [])
  ].join('\n')
}
