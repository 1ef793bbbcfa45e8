/**
 * Compute kernel figures (issue 10, item 10): GFLOP/s of the built-in matmul
 * kernel in WebAssembly SIMD, beside the same multiply in plain TypeScript
 * (the baseline: ratios are to it) and in C (bench/c/matmul.c, built here
 * with gcc -O3 -march=native -ffp-contract=off when gcc exists), in the same
 * run, rounds interleaved. All three sum in the same order without fused
 * multiply-adds; the bench checks their products are the same bytes.
 * Runs in this process (the C one in a child, timing itself).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { matmulTs, matmulWasm, multiplyMatmulTask } from '../out/node/main/node/compute/kernels/matmul.js'
import { encodeMatrix } from '../out/node/main/node/compute/matrix.js'
import { median, round } from './lib/stats.js'

const SIZES = [256, 512]
const C_SOURCE = fileURLToPath(new URL('./c/matmul.c', import.meta.url))

export async function measureComputeKernel ({ rounds = 7, sizes = SIZES, log = () => {} } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'wgt-bench-matmul-'))
  try {
    const cBinary = buildC(dir, log)
    const result = { rounds, unit: 'GFLOP/s (2·n³ floating-point operations per multiply / seconds)', cCompiler: cBinary === null ? null : 'gcc -O3 -march=native -ffp-contract=off', sizes: {} }
    for (const n of sizes) result.sizes[n] = await measureSize(n, rounds, dir, cBinary, log)
    result.notes = [
      'wasm: matmulWasm (kernels/matmul.wat, f64x2 SIMD, 4×4 tiles of C summed in registers over k, each 4-column strip of B packed first), including the copies of A and B into WASM memory and of C out; ts: matmulTs, the plain i-k-j loop in TypeScript; c: the same i-k-j loop in C, timed inside its process (no start-up, no file I/O). Random n×n matrices in [-1, 1), the same for all three.',
      'identical: the SHA-256 of the three products (and of multiplyMatmulTask, the task entry) agree: the kernels compute the same bits.',
      'Ratios are of medians over rounds; rounds interleave the three so drift on this shared machine hits all of them.'
    ]
    return result
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

function buildC (dir, log) {
  const out = join(dir, 'matmul')
  try {
    execFileSync('gcc', ['-O3', '-march=native', '-ffp-contract=off', '-o', out, C_SOURCE], { stdio: ['ignore', 'ignore', 'pipe'] })
    return out
  } catch (err) {
    log(`compute kernel: no C figure (gcc failed or is missing: ${err.message.split('\n')[0]})`)
    return null
  }
}

function randomMatrix (n) {
  const data = new Float64Array(n * n)
  for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1
  return { rows: n, cols: n, data }
}

const sha = bytes => createHash('sha256').update(bytes).digest('hex')
const productSha = m => sha(encodeMatrix(m))

async function measureSize (n, rounds, dir, cBinary, log) {
  const a = randomMatrix(n)
  const b = randomMatrix(n)
  const input = new Uint8Array([...encodeMatrix(a), ...encodeMatrix(b)])
  const inPath = join(dir, `in-${n}.wgtm`)
  const outPath = join(dir, `out-${n}.wgtm`)
  await writeFile(inPath, input)
  const flops = 2 * n ** 3
  const ms = { wasm: [], ts: [], c: [] }
  const hashes = {}
  // one untimed run each: compile (V8 tiers up WASM and hot TS loops) and the products' hashes
  hashes.wasm = productSha(matmulWasm(a, b))
  hashes.ts = productSha(matmulTs(a, b))
  hashes.task = sha(multiplyMatmulTask(input))
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now()
    matmulWasm(a, b)
    ms.wasm.push(performance.now() - t0)
    t0 = performance.now()
    matmulTs(a, b)
    ms.ts.push(performance.now() - t0)
    if (cBinary !== null) {
      const run = spawnSync(cBinary, [inPath, outPath, '1'], { encoding: 'utf8' })
      if (run.status !== 0) throw new Error(`bench/c/matmul failed: ${run.stderr}`)
      ms.c.push(JSON.parse(run.stdout)[0])
    }
  }
  if (cBinary !== null) hashes.c = sha(await readFile(outPath))
  const gflops = k => ms[k].length === 0 ? null : round(flops / (median(ms[k]) / 1000) / 1e9, 3)
  const figures = { wasmGflops: gflops('wasm'), tsGflops: gflops('ts'), cGflops: gflops('c') }
  const result = {
    ...figures,
    wasmVsTs: round(figures.wasmGflops / figures.tsGflops, 2),
    cVsTs: figures.cGflops === null ? null : round(figures.cGflops / figures.tsGflops, 2),
    wasmVsC: figures.cGflops === null ? null : round(figures.wasmGflops / figures.cGflops, 2),
    medianMs: { wasm: round(median(ms.wasm), 1), ts: round(median(ms.ts), 1), c: ms.c.length === 0 ? null : round(median(ms.c), 1) },
    identical: new Set(Object.values(hashes)).size === 1
  }
  log(`compute kernel ${n}×${n}: wasm ${result.wasmGflops}, ts ${result.tsGflops}, c ${result.cGflops} GFLOP/s; identical ${result.identical}`)
  return result
}

// `node bench/compute-kernel.js`: this figure alone
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.env.WGT_BENCH_ROUNDS ?? 7)
  console.log(JSON.stringify(await measureComputeKernel({ rounds, log: m => { process.stderr.write(`[bench] ${m}\n`) } }), null, 2))
}
