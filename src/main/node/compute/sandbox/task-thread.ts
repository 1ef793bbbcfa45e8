/**
 * The entry of a task thread (runner.ts starts it with worker_threads): runs
 * one task per message, answers with its result, the result's hash and the
 * CPU time this thread spent on it. The parent terminates the thread at the
 * time limit; nothing here needs to watch the clock.
 */
import { parentPort } from 'node:worker_threads'
import { WgtError } from '../../../../shared/errors.js'
import { executeTask, type DoneMessage, type RunMessage } from './execute.js'
import { resultSha256 } from './result-hash.js'

const port = parentPort
if (port === null) throw new Error('task-thread.ts is the entry of a worker thread, not a module to import')

/** CPU time of this thread alone, ms (process.threadCpuUsage, Node ≥ 23.9). */
function threadCpuMs (): number {
  const usage = process.threadCpuUsage()
  return (usage.user + usage.system) / 1000
}

port.on('message', (msg: RunMessage) => {
  let reply: DoneMessage
  const transfer: ArrayBuffer[] = []
  const cpu0 = threadCpuMs()
  try {
    const result = executeTask(msg.spec, msg.limits)
    const sha256 = resultSha256(result)
    reply = { ok: true, result, sha256, cpuMs: threadCpuMs() - cpu0 }
    if (result.ok && result.output.buffer instanceof ArrayBuffer && result.output.byteLength === result.output.buffer.byteLength) {
      transfer.push(result.output.buffer)
    }
  } catch (err) {
    reply = { ok: false, error: WgtError.from(err).toWire() }
  }
  port.postMessage(reply, transfer)
})
