/**
 * What a person does with compute, as calls on the node: submit a job (a
 * WASM module and its input reach the node as paths in Electron, as uploads
 * in a browser), and get a done job's result (Electron: written to the
 * download folder by the node; browser: downloaded through the daemon).
 */
import type { ComputeJob, ComputeSubmit, WgtApi } from '../../../shared/api/index.js'
import type { HostFiles } from '../api/host-files.js'
import { WgtError } from '../../../shared/errors.js'
import { resultFileName } from './state.js'

export interface ComputeDeps {
  api: WgtApi
  host: HostFiles
}

/** Left out, the node's defaults apply (a 120 s time limit per task, a 256 MiB memory cap). */
interface SubmitOptions { redundancy: number, timeoutS?: number }

export type SubmitRequest =
  | (SubmitOptions & { kind: 'matmul', n: number })
  | (SubmitOptions & { kind: 'wasm', module: File, input: File, memoryMb?: number })

/** Upload progress of a submission's files, summed: what the form's bar shows. */
export interface UploadProgress { sent: number, total: number }

/** Start a job; answers its id (the operation id). Throws WgtError, for the form to describe. */
export async function submitJob ({ api, host }: ComputeDeps, req: SubmitRequest, onUpload: (p: UploadProgress) => void): Promise<string> {
  const options = { redundancy: req.redundancy, ...(req.timeoutS != null ? { timeoutS: req.timeoutS } : {}) }
  let job: ComputeSubmit
  if (req.kind === 'matmul') {
    job = { kernel: 'matmul', n: req.n, ...options }
  } else {
    const total = req.module.size + req.input.size
    let moduleSent = 0
    let inputSent = 0
    const report = (): void => { onUpload({ sent: moduleSent + inputSent, total }) }
    // one after the other: the two files share the link to the daemon anyway
    const module = await host.localPath(req.module, sent => { moduleSent = sent; report() })
    const input = await host.localPath(req.input, sent => { inputSent = sent; report() })
    job = { kernel: 'wasm', module, input, ...options, ...(req.memoryMb != null ? { memoryMb: req.memoryMb } : {}) }
  }
  const { operation } = await api.submitCompute(job)
  return operation
}

export type SavedResult =
  | { where: 'disk', path: string, bytes: number, sha256: string }
  | { where: 'browser', name: string }

/** Get a done job's result to the person; throws WgtError. */
export async function saveResult ({ api, host }: ComputeDeps, job: ComputeJob): Promise<SavedResult> {
  if (job.state !== 'done' || job.result == null) throw new WgtError('UNAVAILABLE', `job ${job.id} has no result: it is ${job.state}`)
  if (host.downloadComputeResult != null) {
    const name = resultFileName(job)
    await host.downloadComputeResult(job.id, name)
    return { where: 'browser', name }
  }
  const saved = await api.saveComputeResult(job.id)
  return { where: 'disk', ...saved }
}
