import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { watch } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { LevelDatastore } from 'datastore-level'
import { parseShardCid } from '../../ces/cid.js'
import { ShardStore } from '../index.js'
import { listFiles, workspace } from './helpers.js'

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.mjs', import.meta.url))
// The project's Node 24 (not whatever is on PATH): the writer relies on its built-in type stripping.
const NODE = fileURLToPath(new URL('../../../../../node_modules/.bin/node', import.meta.url))

/**
 * Starts the writer; once it has acknowledged `acks` shards, SIGKILLs it the
 * moment a temp file appears (so the kill tends to land mid-write), or after
 * a second regardless. Returns the acknowledged CIDs.
 */
async function writeUntilKilled (shardDir: string, dsDir: string, acks: number): Promise<string[]> {
  await mkdir(shardDir, { recursive: true })
  const child = spawn(NODE, [WRITER, shardDir, dsDir], { stdio: ['ignore', 'pipe', 'pipe'] })
  const watcher = watch(shardDir, { recursive: true })
  const acked: string[] = []
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = new Promise<NodeJS.Signals | number | null>(resolve => child.once('exit', (code, signal) => resolve(signal ?? code)))
  let timer: NodeJS.Timeout | undefined
  try {
    await new Promise<void>((resolve, reject) => {
      let buffered = ''
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString()
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        acked.push(...lines)
        if (acked.length >= acks && timer === undefined) timer = setTimeout(resolve, 1000)
      })
      watcher.on('change', (_event, name) => {
        if (acked.length >= acks && String(name).endsWith('.tmp')) resolve()
      })
      void exited.then(how => reject(new Error(`writer exited early (${String(how)}): ${stderr}`)))
      setTimeout(() => reject(new Error(`writer too slow: ${acked.length} shards acknowledged; ${stderr}`)), 20_000).unref()
    })
  } finally {
    child.kill('SIGKILL')
    watcher.close()
    clearTimeout(timer)
  }
  expect(await exited).toBe('SIGKILL')
  return acked
}

describe('ShardStore under kill -9', () => {
  let ws: Awaited<ReturnType<typeof workspace>> | undefined

  afterEach(async () => {
    await ws?.dispose()
    ws = undefined
  })

  it('never leaves a shard under its final name that does not hash to its CID', async () => {
    ws = await workspace()
    await ws.datastore.close() // the child owns the datastore while it runs
    const dsDir = join(ws.root, 'datastore')
    const acknowledged = new Set<string>()
    let leftoverTemps = 0
    // Kill again until a kill has provably landed mid-write (a temp file left behind).
    for (let round = 0; round < 6 && leftoverTemps === 0; round++) {
      for (const cid of await writeUntilKilled(ws.shardDir, dsDir, 4 + round * 2)) acknowledged.add(cid)
      leftoverTemps += (await listFiles(ws.shardDir)).filter(f => f.endsWith('.tmp')).length

      ws.datastore = new LevelDatastore(dsDir)
      await ws.datastore.open()
      const store = await ShardStore.open({ dir: ws.shardDir, datastore: ws.datastore, quotaBytes: Number.MAX_SAFE_INTEGER, blockSize: 1, pools: { pool: Number.MAX_SAFE_INTEGER, perPeerBytes: Number.MAX_SAFE_INTEGER, perPeerShards: 1e9 } })
      const files = await listFiles(ws.shardDir)
      expect(files.filter(f => f.endsWith('.tmp'))).toEqual([])
      let used = 0
      for (const file of files) {
        const cid = file.split('/')[1]
        const bytes = await readFile(join(ws.shardDir, file))
        expect(createHash('sha256').update(bytes).digest().equals(parseShardCid(cid).digest), `${file} is damaged`).toBe(true)
        used += bytes.length
      }
      // every put that resolved survived the kill
      for (const cid of acknowledged) expect(await store.has(cid), `${cid} was acknowledged but is gone`).toBe(true)
      expect(store.stats().shards).toBe(files.length)
      expect(store.stats().used).toBe(used)
      expect((await store.scrub()).corrupt).toEqual([])
      await store.stop()
      await ws.datastore.close()
    }
    expect(leftoverTemps, 'no kill landed during a write; the test proved nothing').toBeGreaterThan(0)
  }, 120_000)
})
