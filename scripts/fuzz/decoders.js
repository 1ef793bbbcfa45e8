/**
 * Decoder fuzzing: each case is decoded and validated as the node would, and
 * must end one of three ways: a valid value, a value the node's validation
 * rejects, or a normal Error. A failure is any of:
 *
 *   abnormal-error  an engine error (a TypeError such as "Cannot read
 *                   properties of undefined", a ReferenceError), exhausted
 *                   resources (stack overflow, invalid array length), or a
 *                   throw of something that is not an Error
 *   time            the case took longer than bounds.caseMs
 *   memory          the heap and array buffers grew by more than bounds.caseHeapBytes
 *   uncounted       a decoding failure the node does not count against the
 *                   sender (targets with `counted`, i.e. the DHT behind wire/screen.ts)
 *   valid-rejected  one of the target's own valid messages failed
 *   roundtrip       a valid message did not encode back to the same bytes
 *
 * Cases are named `target:phase:index` and rebuilt from that name and the seed
 * alone (caseBytes), which is what a failure report prints.
 */
import v8 from 'node:v8'
import vm from 'node:vm'
import { bombs, mutatedCase, truncationBase, validCase } from './gen.js'

export const DEFAULT_BOUNDS = { caseMs: 100, caseHeapBytes: 64 * 2 ** 20 }
/** the phases of a target's cases, in the order runTarget runs them */
export const PHASES = ['valid', 'truncated', 'mutated']
/** cases at least this large have their memory measured; smaller ones cannot amplify past the bound */
const MEASURE_FROM = 2048

/**
 * What the engine throws for a bug or exhausted resources, as opposed to the
 * errors libraries throw on purpose for bad input (protons' RangeError "index
 * out of range", multiformats' RangeError "Invalid CID version", peer-id's
 * TypeError "Invalid URL", ...).
 */
const ENGINE_TYPE_ERROR = /Cannot (read|set) propert|is not a function|is not iterable|is not a constructor|Cannot convert|Cannot mix BigInt/
const RESOURCE_ERROR = /call stack size|Invalid (typed )?array length|allocation failed|Invalid string length|out of memory/i

/** Why err is not a normal decoding or validation error, or null if it is one. */
export function abnormal (err) {
  if (!(err instanceof Error)) return `threw a non-Error: ${String(err)}`
  if (err instanceof ReferenceError || err instanceof SyntaxError) return `${err.name}: ${err.message}`
  if (err instanceof TypeError && ENGINE_TYPE_ERROR.test(err.message)) return `${err.name}: ${err.message}`
  if (RESOURCE_ERROR.test(err.message)) return `${err.name}: ${err.message}`
  return null
}

function heapNow () {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

function describe (err) {
  return err instanceof Error ? `${err.name}: ${err.message.slice(0, 160)}` : String(err)
}

/**
 * Decode and validate one case. Answers { outcome: 'valid' | 'rejected' |
 * 'error', error?, ms, heap?, failures: [{ rule, detail }] }.
 */
export function evaluate (t, bytes, { bounds = DEFAULT_BOUNDS, phase = 'mutated', measure = bytes.length >= MEASURE_FROM } = {}) {
  const failures = []
  const before = measure ? heapNow() : 0
  const t0 = performance.now()
  let outcome
  let error
  let errorName
  let value
  let decoded = false
  try {
    value = t.decode(bytes)
    decoded = true
    const problem = t.validate(value)
    outcome = problem == null ? 'valid' : 'rejected'
    if (problem != null) { error = problem; errorName = 'problem' }
  } catch (err) {
    outcome = decoded ? 'rejected' : 'error'
    error = describe(err)
    errorName = err instanceof Error ? err.name : typeof err
    const why = abnormal(err)
    if (why != null) failures.push({ rule: 'abnormal-error', detail: `${decoded ? 'validation' : 'decoding'}: ${why}` })
    else if (!decoded && t.counted != null && !t.counted(err)) failures.push({ rule: 'uncounted', detail: error })
  }
  const ms = performance.now() - t0
  const heap = measure ? heapNow() - before : undefined
  if (ms > bounds.caseMs) failures.push({ rule: 'time', detail: `${ms.toFixed(0)} ms for ${bytes.length} bytes` })
  if (heap != null && heap > bounds.caseHeapBytes) failures.push({ rule: 'memory', detail: `${(heap / 2 ** 20).toFixed(0)} MiB for ${bytes.length} bytes` })
  if (phase === 'valid') {
    if (outcome !== 'valid') failures.push({ rule: 'valid-rejected', detail: String(error) })
    else if (t.roundtrip != null && !t.roundtrip(value, bytes)) failures.push({ rule: 'roundtrip', detail: `${bytes.length} bytes` })
  }
  value = undefined
  return { outcome, error, errorName, ms, heap, failures }
}

/** The bytes of a named case (`phase:index`, truncations `truncated:base.length`), clipped to the frame the node would read. */
export function caseBytes (t, seed, phase, index) {
  let bytes
  if (phase === 'valid') bytes = validCase(t, seed, index).bytes
  else if (phase === 'mutated') bytes = mutatedCase(t, seed, index).bytes
  else if (phase === 'truncated') {
    const [base, length] = String(index).split('.').map(Number)
    bytes = truncationBase(t, seed, base).subarray(0, length)
  } else throw new Error(`unknown phase ${phase}`)
  return bytes.length > t.maxFrame ? bytes.subarray(0, t.maxFrame) : bytes
}

/**
 * Run a target's cases: `valid` valid messages, every prefix of
 * `truncations` of them, and `mutated` mutated ones (numbered from
 * `mutatedFrom`, so several workers can share a target). `hugeBytes` bounds
 * the huge mutations (repeated fields); `onCase(phase, index, length)` is
 * called before each case. Answers the counts, the failures (the first
 * `keep`, and a count per rule), and the slowest and largest cases.
 */
export function runTarget (target, { seed, valid = 100, truncations = 3, mutated = 1000, mutatedFrom = 0, hugeBytes = 16 * 1024, bounds = DEFAULT_BOUNDS, keep = 20, onCase } = {}) {
  const t = { ...target, hugeBytes }
  const stats = { target: t.name, cases: 0, valid: 0, rejected: 0, errors: 0, errorNames: {}, failureCounts: {}, failures: [], maxMs: 0, slowest: null, maxHeap: 0, largest: null }
  const run = (phase, index, bytes, ops, length) => {
    const id = `${t.name}:${phase}:${index}`
    onCase?.(phase, typeof index === 'number' ? index : Number(String(index).split('.')[0]), length ?? 0)
    if (bytes.length > t.maxFrame) bytes = bytes.subarray(0, t.maxFrame)
    let r = evaluate(t, bytes, { bounds, phase })
    // a collection or another thread can stall any case: slow only if it is slow three times
    for (let again = 0; again < 2 && r.failures.some(f => f.rule === 'time'); again++) {
      const next = evaluate(t, bytes, { bounds, phase })
      if (next.ms < r.ms) r = next
    }
    stats.cases++
    stats[r.outcome === 'error' ? 'errors' : r.outcome]++
    if (r.errorName != null) stats.errorNames[r.errorName] = (stats.errorNames[r.errorName] ?? 0) + 1
    if (r.ms > stats.maxMs) { stats.maxMs = r.ms; stats.slowest = { id, bytes: bytes.length } }
    if ((r.heap ?? 0) > stats.maxHeap) { stats.maxHeap = r.heap; stats.largest = { id, bytes: bytes.length } }
    for (const f of r.failures) {
      stats.failureCounts[f.rule] = (stats.failureCounts[f.rule] ?? 0) + 1
      if (stats.failures.length < keep) stats.failures.push({ id, seed, rule: f.rule, detail: f.detail, ops, bytes: bytes.length, head: hex(bytes.subarray(0, 48)) })
    }
  }
  for (let i = 0; i < valid; i++) run('valid', i, validCase(t, seed, i).bytes, ['valid'])
  for (let j = 0; j < truncations; j++) {
    const base = truncationBase(t, seed, j)
    for (let len = 0; len < base.length; len++) run('truncated', `${j}.${len}`, base.subarray(0, len), ['truncate'], len)
  }
  for (let i = mutatedFrom; i < mutatedFrom + mutated; i++) {
    const c = mutatedCase(t, seed, i)
    run('mutated', i, c.bytes, c.ops)
  }
  return stats
}

/** A collector for measuring what one case allocates: the --expose-gc one, or V8's, reached without the flag. */
let collect
function gc () {
  if (collect === undefined) {
    collect = globalThis.gc ?? null
    if (collect == null) {
      try {
        v8.setFlagsFromString('--expose-gc')
        collect = vm.runInNewContext('gc')
      } catch {
        collect = null
      }
    }
  }
  collect?.()
}

/**
 * The bombs of gen.js (at most `budget` bytes each; those whose name starts
 * with `only`), each measured from a collected heap. Reading a frame takes
 * time in proportion to it: the time bound is per started MiB.
 */
export function runBombs (t, budget, bounds = DEFAULT_BOUNDS, only = '') {
  return bombs(t, budget).filter(b => b.name.startsWith(only)).map(b => {
    gc()
    const r = evaluate(t, b.bytes, { bounds: { ...bounds, caseMs: bounds.caseMs * Math.ceil(b.bytes.length / 2 ** 20) }, measure: true })
    return { target: t.name, bomb: b.name, bytes: b.bytes.length, outcome: r.outcome, error: r.error, ms: Math.round(r.ms), heapMiB: Math.round((r.heap ?? 0) / 2 ** 20), failures: r.failures }
  })
}

/** Several targets' stats as one summary. */
export function summarize (all) {
  const sum = { cases: 0, valid: 0, rejected: 0, errors: 0, failures: 0, failureCounts: {}, maxMs: 0, slowest: null }
  for (const s of all) {
    sum.cases += s.cases; sum.valid += s.valid; sum.rejected += s.rejected; sum.errors += s.errors
    for (const [rule, n] of Object.entries(s.failureCounts)) { sum.failureCounts[rule] = (sum.failureCounts[rule] ?? 0) + n; sum.failures += n }
    if (s.maxMs > sum.maxMs) { sum.maxMs = s.maxMs; sum.slowest = s.slowest }
  }
  return sum
}

export function hex (bytes) {
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')
}
