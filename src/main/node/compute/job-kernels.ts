/**
 * The kernel-specific half of a job (jobs.ts runs the rest): what each task
 * is, how a result is checked on this node before it may count, and how
 * accepted results become the result file under DATA/compute/results/.
 *
 * matmul: the file is the WGT matrix C, written in place block by block
 * (positional writes into a file of C's size, never C whole in memory); each
 * result is decoded as a block of the expected shape and Freivalds-checked
 * against A and B here (k rounds, false-accept ≤ 2^-k), whoever computed it.
 * wasm: each accepted output goes to a part file; at the end the parts are
 * concatenated in task order (streamed).
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { COMPUTE_LIMITS, DEFAULT_TASK_BUDGET, DEFAULT_TASK_MEMORY_MB, type ComputeKernel } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { freivalds } from './kernels/freivalds.js'
import { MATRIX_HEADER_BYTES, decodeMatrix, matrixByteLength, shapeText, writeHeader, type Matrix } from './matrix.js'
import { colBlock, matmulBlocks, matmulTaskBytes, matmulTaskInput, rowBlock, splitLines, type Block } from './split.js'
import type { TaskOutcome, TaskSpec } from './types.js'

/** Freivalds rounds per block: a wrong block passes with probability ≤ 2^-10 per check */
export const FREIVALDS_ROUNDS = 10
const MiB = 1024 * 1024

export interface FinishedResult { path: string, bytes: number, sha256: string, rows: number | null, cols: number | null }

export interface JobKernel {
  readonly kernel: ComputeKernel
  readonly label: string
  readonly tasks: number
  /** the WASM memory cap every run of this job's tasks gets (part of the task: the same verdict everywhere) */
  readonly memoryBytes: number
  inputBytes: (index: number) => number
  /** built when the task is dispatched */
  spec: (index: number) => TaskSpec
  /** whether results get a check of their own on this node (check) before they count as votes */
  readonly checks: boolean
  /** that check: 'invalid' is a lie, whoever sent it */
  check: (index: number, outcome: TaskOutcome) => Promise<'valid' | 'invalid'>
  /** the accepted result of task `index`; a result that is a failure verdict fails the job */
  accept: (index: number, outcome: TaskOutcome) => Promise<void>
  /** every task accepted: the result file, hashed */
  finish: (onBytes: (done: number, total: number) => void) => Promise<FinishedResult>
  /** the job ended without a result: remove what was written */
  discard: () => Promise<void>
}

/** A failure verdict that a quorum accepted: the job's own module or input failed, on every worker alike. */
export function verdictError (index: number, tasks: number, outcome: TaskOutcome): WgtError | null {
  const r = outcome.result
  if (r.ok) return null
  const what = `task ${index + 1} of ${tasks}`
  switch (r.verdict) {
    case 'budget': return new WgtError('QUOTA_EXCEEDED', `${what} ran out of its instruction budget: ${r.message}`)
    case 'memory': return new WgtError('QUOTA_EXCEEDED', `${what} asked for memory past its cap: ${r.message}`)
    case 'trap': return new WgtError('INVALID_INPUT', `${what}: the module trapped: ${r.message}`)
    case 'invalid': return new WgtError('INVALID_INPUT', `${what}: ${r.message}`)
  }
}

export class MatmulKernel implements JobKernel {
  readonly kernel = 'matmul'
  readonly checks = true
  readonly tasks: number
  readonly memoryBytes: number
  private readonly blocks: Block[]
  private file: FileHandle | null = null
  checked = 0
  failed = 0

  constructor (private readonly a: Matrix, private readonly b: Matrix, private readonly path: string, readonly label: string) {
    this.blocks = matmulBlocks({ rows: a.rows, cols: b.cols })
    this.tasks = this.blocks.length
    // the kernel holds A's block, B's block and C's block in one memory (the first block is the largest);
    // what it needs, not a default: a contributor who allows 64 MiB per task can still take blocks
    const first = this.blocks[0]
    const largest = this.inputBytes(0) + 8 * (first.r1 - first.r0) * (first.c1 - first.c0)
    this.memoryBytes = Math.max(COMPUTE_LIMITS.memoryMb.min, Math.ceil(largest * 1.25 / MiB) + 1) * MiB
  }

  inputBytes (index: number): number {
    return matmulTaskBytes(this.a.cols, this.blocks[index])
  }

  spec (index: number): TaskSpec {
    return { kernel: 'matmul', input: matmulTaskInput(this.a, this.b, this.blocks[index]) }
  }

  async check (index: number, outcome: TaskOutcome): Promise<'valid' | 'invalid'> {
    this.checked++
    const blk = this.blocks[index]
    // the inputs are ours and valid: a matmul that did not come out is a lie too
    let c: Matrix | null = null
    if (outcome.result.ok) {
      try { c = decodeMatrix(outcome.result.output, 'block') } catch { c = null }
    }
    const ok = c != null && c.rows === blk.r1 - blk.r0 && c.cols === blk.c1 - blk.c0 &&
      freivalds(rowBlock(this.a, blk), colBlock(this.b, blk), c, FREIVALDS_ROUNDS).ok
    if (!ok) this.failed++
    return ok ? 'valid' : 'invalid'
  }

  async accept (index: number, outcome: TaskOutcome): Promise<void> {
    if (!outcome.result.ok) throw new WgtError('INTERNAL', 'a matmul block without output was accepted')
    const out = outcome.result.output
    const blk = this.blocks[index]
    const n = this.b.cols
    const width = 8 * (blk.c1 - blk.c0)
    const file = await this.open()
    for (let i = 0; i < blk.r1 - blk.r0; i++) {
      const row = out.subarray(MATRIX_HEADER_BYTES + i * width, MATRIX_HEADER_BYTES + (i + 1) * width)
      await file.write(row, 0, width, MATRIX_HEADER_BYTES + 8 * ((blk.r0 + i) * n + blk.c0))
    }
  }

  async finish (onBytes: (done: number, total: number) => void): Promise<FinishedResult> {
    const file = await this.open()
    await file.close()
    this.file = null
    const bytes = matrixByteLength({ rows: this.a.rows, cols: this.b.cols })
    const sha256 = await hashFile(this.path, n => { onBytes(n, bytes) })
    return { path: this.path, bytes, sha256, rows: this.a.rows, cols: this.b.cols }
  }

  async discard (): Promise<void> {
    await this.file?.close().catch(() => {})
    this.file = null
    await rm(this.path, { force: true })
  }

  /** C's file: its header, and its full size (a sparse file the blocks fill in) */
  private async open (): Promise<FileHandle> {
    if (this.file != null) return this.file
    const shape = { rows: this.a.rows, cols: this.b.cols }
    const file = await open(this.path, 'w+', 0o600)
    this.file = file
    const head = new Uint8Array(MATRIX_HEADER_BYTES)
    writeHeader(head, 0, shape)
    await file.write(head, 0, head.length, 0)
    await file.truncate(matrixByteLength(shape))
    return file
  }

  get shape (): string {
    return shapeText({ rows: this.a.rows, cols: this.b.cols })
  }
}

export class WasmKernel implements JobKernel {
  readonly kernel = 'wasm'
  readonly checks = false
  readonly tasks: number
  readonly memoryBytes: number
  private readonly pieces: Array<[number, number]>
  private readonly partsDir: string

  constructor (
    private readonly module: Uint8Array,
    private readonly input: Uint8Array,
    private readonly path: string,
    readonly label: string,
    opts: { budget?: number, memoryMb?: number }
  ) {
    this.pieces = splitLines(input)
    this.tasks = this.pieces.length
    this.budget = BigInt(opts.budget ?? DEFAULT_TASK_BUDGET)
    this.memoryBytes = (opts.memoryMb ?? DEFAULT_TASK_MEMORY_MB) * MiB
    this.partsDir = path + '.parts'
  }

  private readonly budget: bigint

  inputBytes (index: number): number {
    const [s, e] = this.pieces[index]
    return e - s
  }

  spec (index: number): TaskSpec {
    const [s, e] = this.pieces[index]
    return { kernel: 'wasm', module: this.module, input: this.input.subarray(s, e), budget: this.budget }
  }

  async check (): Promise<'valid'> {
    // no check of a user module's output exists but agreement (verify.ts)
    return 'valid'
  }

  async accept (index: number, outcome: TaskOutcome): Promise<void> {
    const err = verdictError(index, this.tasks, outcome)
    if (err != null) throw err
    if (!outcome.result.ok) return
    await mkdir(this.partsDir, { recursive: true })
    const file = await open(join(this.partsDir, String(index)), 'w', 0o600)
    try { await file.write(outcome.result.output) } finally { await file.close() }
  }

  async finish (onBytes: (done: number, total: number) => void): Promise<FinishedResult> {
    const out = await open(this.path, 'w', 0o600)
    const h = createHash('sha256')
    let bytes = 0
    try {
      for (let i = 0; i < this.tasks; i++) {
        for await (const chunk of createReadStream(join(this.partsDir, String(i)), { highWaterMark: 1 << 20 })) {
          const c = chunk as Buffer
          h.update(c)
          await out.write(c)
          bytes += c.byteLength
        }
        onBytes(i + 1, this.tasks)
      }
    } finally {
      await out.close()
    }
    await rm(this.partsDir, { recursive: true, force: true })
    return { path: this.path, bytes, sha256: h.digest('hex'), rows: null, cols: null }
  }

  async discard (): Promise<void> {
    await rm(this.partsDir, { recursive: true, force: true })
    await rm(this.path, { force: true })
  }
}

async function hashFile (path: string, onBytes: (n: number) => void): Promise<string> {
  const h = createHash('sha256')
  let n = 0
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer)
    n += (chunk as Buffer).byteLength
    onBytes(n)
  }
  return h.digest('hex')
}
