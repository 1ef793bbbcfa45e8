/**
 * Spawns bench child processes and keeps track of them so every one is
 * stopped, whatever happens. A child announces itself with one JSON line on
 * stdout (see serve.js); its stderr is passed through for diagnosis. A child
 * that takes requests (helia-node.js) reads one JSON line {id, op, ...} per
 * request on stdin and answers with one line {id, ok, ...} on stdout.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'

const READY_TIMEOUT_MS = 30_000
const STOP_GRACE_MS = 5_000
const REQUEST_TIMEOUT_MS = 600_000
const live = new Set()
const cleanups = new Set()

/** Registers work that must run even when the bench is interrupted (a signal skips finally blocks); returns the unregister. */
export function onInterrupt (fn) {
  cleanups.add(fn)
  return () => { cleanups.delete(fn) }
}

export async function startChild (script, args = []) {
  const path = fileURLToPath(new URL(`../${script}`, import.meta.url))
  const child = spawn(process.execPath, [path, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
  const pending = new Map()
  let seq = 0
  const handle = {
    name: `${script} ${args.join(' ')}`.trim(),
    child,
    stop: async () => { await stopChild(child) },
    /** one request to a child that takes them; rejects with the child's error, or when it does not answer within timeoutMs */
    request: async (op, fields = {}, timeoutMs = REQUEST_TIMEOUT_MS) => {
      const id = ++seq
      const answer = new Promise((resolve, reject) => {
        const timer = setTimeout(() => { pending.delete(id); reject(new Error(`${handle.name}: no answer to ${op} within ${timeoutMs} ms`)) }, timeoutMs)
        pending.set(id, m => {
          clearTimeout(timer)
          pending.delete(id)
          if (m.ok) resolve(m)
          else reject(new Error(`${handle.name}: ${op} failed: ${m.error}`))
        })
      })
      child.stdin.write(JSON.stringify({ id, op, ...fields }) + '\n')
      return await answer
    }
  }
  live.add(handle)
  child.once('exit', code => {
    live.delete(handle)
    for (const settle of pending.values()) settle({ ok: false, error: `exited with ${code}` })
  })
  const lines = createInterface({ input: child.stdout })
  try {
    const info = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`${handle.name}: not ready within ${READY_TIMEOUT_MS} ms`)) }, READY_TIMEOUT_MS)
      lines.once('line', line => {
        clearTimeout(timer)
        try { resolve(JSON.parse(line)) } catch (err) { reject(new Error(`${handle.name}: bad ready line ${JSON.stringify(line)}: ${err.message}`)) }
      })
      child.once('exit', code => { clearTimeout(timer); reject(new Error(`${handle.name}: exited with ${code} before it was ready`)) })
      child.once('error', err => { clearTimeout(timer); reject(err) })
    })
    lines.on('line', line => {
      let m
      try { m = JSON.parse(line) } catch { return }
      pending.get(m?.id)?.(m)
    })
    return { ...handle, info }
  } catch (err) {
    await handle.stop()
    throw err
  }
}

async function stopChild (child) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  // closing stdin is the polite request; SIGKILL only if it is ignored
  child.stdin.end()
  const timer = setTimeout(() => { child.kill('SIGKILL') }, STOP_GRACE_MS)
  await exited
  clearTimeout(timer)
}

export async function stopAllChildren () {
  const pending = [...cleanups].map(async fn => { await fn() })
  cleanups.clear()
  await Promise.allSettled([...pending, ...[...live].map(async h => { await h.stop() })])
}
