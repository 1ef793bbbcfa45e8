/**
 * The entry of a task thread (runner.ts starts it with worker_threads): runs
 * one task per message, answers with its result, the result's hash and the
 * CPU time this thread spent on it. The parent terminates the thread at the
 * time limit; nothing here needs to watch the clock.
 */
import { parentPort } from 'node:worker_threads'
import { WgtError } from '../../../../shared/errors.js'
import { executeTask, type RunMessage, type ThreadMessage } from './execute.js'
import { meterPoisoned } from './meter.js'
import { resultSha256 } from './result-hash.js'

const port = parentPort
if (port === null) throw new Error('task-thread.ts is the entry of a worker thread, not a module to import')

/**
 * CPU time of this thread alone, ms: process.threadCpuUsage (Node ≥ 23.9),
 * so a task's figure excludes the node's other threads. Includes the
 * preparation of a user module (metering, compiling): work done for the task.
 */
function threadCpuMs (): number {
  const usage = process.threadCpuUsage()
  return (usage.user + usage.system) / 1000
}

function send (msg: ThreadMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(msg, transfer)
}

// one task at a time: the parent sends the next only after 'done'
port.on('message', (msg: RunMessage) => {
  void (async () => {
    const cpu0 = threadCpuMs()
    try {
      const result = await executeTask(msg.spec, msg.limits, () => { send({ type: 'started' }) })
      const sha256 = resultSha256(result)
      const transfer = result.ok && result.output.buffer instanceof ArrayBuffer && result.output.byteLength === result.output.buffer.byteLength
        ? [result.output.buffer]
        : []
      send({ type: 'done', ok: true, result, sha256, cpuMs: threadCpuMs() - cpu0 }, transfer)
    } catch (err) {
      send({ type: 'done', ok: false, error: WgtError.from(err).toWire() })
    }
    // the pool replaces a thread that exits; a fresh one gets a fresh binaryen
    if (meterPoisoned()) process.exit(0)
  })()
})
