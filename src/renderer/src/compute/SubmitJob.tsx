/**
 * Submit a job: a multiply of two random n×n matrices made on this node, or
 * a user WASM module (ABI in the README) with an input file, whose lines
 * are split into tasks. In a browser the files are uploaded to the daemon
 * first, with their progress.
 */
import { useRef, useState } from 'react'
import { COMPUTE_LIMITS, DEFAULT_TASK_MEMORY_MB, MAX_MATMUL_N, MAX_MODULE_BYTES, MAX_REDUNDANCY, MAX_WASM_INPUT_BYTES } from '../../../shared/api/index.js'
import { useApp } from '../app/context.js'
import { formatBytes } from '../format.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { ProgressBar } from '../ui/ProgressBar.js'
import { useAction } from '../ui/useAction.js'
import { submitJob, type UploadProgress } from './actions.js'

type Kind = 'matmul' | 'wasm'

/** n for a matmul: a whole number 1..MAX_MATMUL_N, or null. */
export function parseMatmulN (text: string): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null
  const n = Number(text)
  return Number.isSafeInteger(n) && n >= 1 && n <= MAX_MATMUL_N ? n : null
}

/** An optional whole number within [min, max]: undefined when left empty (the node's default), null when not valid. */
export function parseOptional (text: string, { min, max }: { min: number, max: number }): number | null | undefined {
  if (text.trim() === '') return undefined
  if (!/^\s*\d+\s*$/.test(text)) return null
  const n = Number(text)
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null
}

/** The node's default time limit per task (JobOptions.timeoutS). */
const DEFAULT_TIMEOUT_S = 120

/** Why a picked file cannot be submitted as it is (checked again by the node), or null. */
export function fileProblem (file: File | null, max: number, what: string): string | null {
  if (file == null) return `Choose ${what}.`
  if (file.size > max) return `${file.name} is ${formatBytes(file.size)}; ${what} may be at most ${formatBytes(max)}.`
  return null
}

function FilePick ({ id, label, accept, file, onPick }: { id: string, label: string, accept?: string, file: File | null, onPick: (f: File | null) => void }): React.JSX.Element {
  const input = useRef<HTMLInputElement>(null)
  return (
    <div className='compute-field'>
      <span id={`${id}-label`}>{label}</span>
      <span className='compute-file'>
        <input ref={input} type='file' hidden accept={accept} data-testid={id}
          onChange={e => { onPick(e.target.files?.[0] ?? null); e.target.value = '' }} />
        <button type='button' className='btn btn-small' aria-label={`Choose the ${label.toLowerCase()} file`} aria-describedby={`${id}-name`} onClick={() => { input.current?.click() }}>Choose…</button>
        <span id={`${id}-name`} className={file == null ? 'muted' : 'compute-file-name'} title={file?.name}>
          {file == null ? 'no file chosen' : `${file.name} · ${formatBytes(file.size)}`}
        </span>
      </span>
    </div>
  )
}

export function SubmitJob (): React.JSX.Element {
  const deps = useApp()
  const [kind, setKind] = useState<Kind>('matmul')
  const [nText, setNText] = useState('256')
  const [redundancy, setRedundancy] = useState(1)
  const [module, setModule] = useState<File | null>(null)
  const [input, setInput] = useState<File | null>(null)
  const [timeoutText, setTimeoutText] = useState('')
  const [memoryText, setMemoryText] = useState('')
  const [upload, setUpload] = useState<UploadProgress | null>(null)
  const [submitted, setSubmitted] = useState<string | null>(null)
  const { busy, error, run, clear } = useAction()

  const n = parseMatmulN(nText)
  const timeoutS = parseOptional(timeoutText, COMPUTE_LIMITS.timeoutS)
  const memoryMb = parseOptional(memoryText, COMPUTE_LIMITS.memoryMb)
  const problem = timeoutS === null
    ? `Time per task: a whole number of seconds, ${COMPUTE_LIMITS.timeoutS.min} to ${COMPUTE_LIMITS.timeoutS.max}, or empty.`
    : kind === 'matmul'
      ? (n == null ? `Size: a whole number, 1 to ${MAX_MATMUL_N}.` : null)
      : memoryMb === null
        ? `Memory per task: a whole number of MiB, ${COMPUTE_LIMITS.memoryMb.min} to ${COMPUTE_LIMITS.memoryMb.max}, or empty.`
        : fileProblem(module, MAX_MODULE_BYTES, 'a module') ?? fileProblem(input, MAX_WASM_INPUT_BYTES, 'an input file')
  const touched = (): void => { clear(); setSubmitted(null) }

  const submit = (e: React.FormEvent): void => {
    e.preventDefault()
    if (problem != null || busy) return
    setSubmitted(null)
    void run('compute-submit', async () => {
      const options = { redundancy, timeoutS: timeoutS ?? undefined }
      const req = kind === 'matmul'
        ? { kind, n: n ?? 0, ...options }
        : { kind, module: module as File, input: input as File, memoryMb: memoryMb ?? undefined, ...options }
      const id = await submitJob(deps, req, p => { setUpload(p) })
      setSubmitted(id)
    }).finally(() => { setUpload(null) })
  }

  return (
    <section className='card' aria-labelledby='submit-title' data-testid='compute-submit'>
      <h2 id='submit-title'>Submit a job</h2>
      <form className='compute-submit' onSubmit={submit}>
        <fieldset className='radio-row'>
          <legend className='visually-hidden'>Kernel</legend>
          <label className='check'>
            <input type='radio' name='compute-kernel' value='matmul' checked={kind === 'matmul'} onChange={() => { setKind('matmul'); touched() }} data-testid='kernel-matmul' />
            Matrix multiply
          </label>
          <label className='check'>
            <input type='radio' name='compute-kernel' value='wasm' checked={kind === 'wasm'} onChange={() => { setKind('wasm'); touched() }} data-testid='kernel-wasm' />
            WASM module
          </label>
        </fieldset>
        <div className='compute-fields'>
          {kind === 'matmul'
            ? (
              <div className='compute-field'>
                <label htmlFor='compute-n'>Size n</label>
                <span className='compute-file'>
                  <input id='compute-n' className='input input-small' inputMode='numeric' value={nText} aria-invalid={n == null}
                    aria-describedby='compute-n-help' data-testid='compute-n' onChange={e => { setNText(e.target.value); touched() }} />
                  <span id='compute-n-help' className='muted'>two random n×n float64 matrices, made here{n != null ? ` (${formatBytes(2 * n * n * 8)})` : ''}</span>
                </span>
              </div>)
            : (
              <>
                <FilePick id='compute-module' label='Module' accept='.wasm,application/wasm' file={module} onPick={f => { setModule(f); touched() }} />
                <FilePick id='compute-input' label='Input' file={input} onPick={f => { setInput(f); touched() }} />
              </>)}
          <div className='compute-field'>
            <label htmlFor='compute-timeout'>Time per task</label>
            <span className='compute-file'>
              <input id='compute-timeout' className='input input-small' inputMode='numeric' value={timeoutText} placeholder={String(DEFAULT_TIMEOUT_S)}
                aria-invalid={timeoutS === null} aria-describedby='compute-timeout-help' onChange={e => { setTimeoutText(e.target.value); touched() }} />
              <span id='compute-timeout-help' className='muted'>s; a task past it goes to another worker</span>
            </span>
          </div>
          {kind === 'wasm' && (
            <div className='compute-field'>
              <label htmlFor='compute-memory'>Memory per task</label>
              <span className='compute-file'>
                <input id='compute-memory' className='input input-small' inputMode='numeric' value={memoryText} placeholder={String(DEFAULT_TASK_MEMORY_MB)}
                  aria-invalid={memoryMb === null} aria-describedby='compute-memory-help' onChange={e => { setMemoryText(e.target.value); touched() }} />
                <span id='compute-memory-help' className='muted'>MiB; the module's memory cap, the same on every worker</span>
              </span>
            </div>)}
          <div className='compute-field'>
            <label htmlFor='compute-redundancy'>Redundancy</label>
            <select id='compute-redundancy' className='input input-small' value={redundancy} data-testid='compute-redundancy'
              onChange={e => { setRedundancy(Number(e.target.value)); touched() }}>
              {Array.from({ length: MAX_REDUNDANCY }, (_, i) => i + 1).map(r => (
                <option key={r} value={r}>{r === 1 ? '1 (adaptive)' : `${r} workers`}</option>
              ))}
            </select>
          </div>
        </div>
        <p className='muted compute-note'>
          {redundancy === 1
            ? 'Adaptive: a worker with a long record of valid results runs a task alone, with random spot checks; a new one is replicated.'
            : `Each task runs on ${redundancy} distinct workers; only a majority result is accepted.`}
          {kind === 'matmul' ? ' Every block is also checked here with Freivalds\' algorithm.' : ' The input is split at newlines into tasks.'}
        </p>
        <div className='compute-submit-row'>
          <button type='submit' className='btn btn-primary' disabled={busy || problem != null} data-testid='compute-submit-button'>{busy ? 'Submitting…' : 'Submit'}</button>
          <span className={problem != null && (kind === 'matmul' || module != null || input != null) ? 'error-text' : 'muted'} role='status'>
            {busy && upload != null
              ? `Uploading to the node: ${formatBytes(upload.sent)} of ${formatBytes(upload.total)}`
              : submitted != null ? 'Submitted: it is under My jobs.' : problem ?? ''}
          </span>
        </div>
        {busy && upload != null && <ProgressBar fraction={upload.total > 0 ? upload.sent / upload.total : null} label={'Uploading the job\'s files to the node'} />}
        {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
      </form>
    </section>
  )
}
