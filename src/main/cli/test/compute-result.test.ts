/**
 * GET /compute/<id>/result: a done job's result for the browser UI, written
 * by the node's saveComputeResult into a directory the route removes after
 * streaming; and uploads a compute job reads are deleted when the job ends.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ComputeJob } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { followOperation } from '../../../shared/follow.js'
import { newToken } from '../api-file.js'
import { startApiServer, type ApiServer } from '../api-server/index.js'
import { connectWs } from '../client.js'
import { fakeFilesApi, type FakeFiles } from './files-fake.js'

interface Reply { status: number, headers: Record<string, unknown>, body: Buffer }

async function send (port: number, method: string, path: string, headers: Record<string, string | number> = {}, body?: Buffer): Promise<Reply> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }) })
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function emptied (dir: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while ((await readdir(dir)).length > 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
  expect(await readdir(dir)).toEqual([])
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const RESULT = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7) % 256))

function job (id: string, over: Partial<ComputeJob> = {}): ComputeJob {
  return {
    id, kernel: 'matmul', label: 'matmul 64×64', state: 'done', redundancy: 1,
    tasks: { total: 1, done: 1, running: 0 }, fraction: 1, workers: [],
    verification: { extraRuns: 0, mismatches: 0, freivalds: { checked: 1, rounds: 20, failed: 0 } },
    cpuMs: 3, createdAt: 1, endedAt: 2,
    result: { bytes: RESULT.length, sha256: sha256(RESULT), rows: 64, cols: 64 }, error: null, ...over
  }
}

describe('the compute result route', () => {
  let dir: string
  let uploadDir: string
  let server: ApiServer
  let token: string
  let auth: Record<string, string>
  let fake: FakeFiles
  const jobs = new Map<string, ComputeJob>()
  const savedTo: string[] = []

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgt-compute-result-'))
    uploadDir = join(dir, 'data', 'uploads')
    await mkdir(join(dir, 'downloads'), { recursive: true })
    token = newToken()
    auth = { Authorization: `Bearer ${token}` }
    jobs.clear()
    savedTo.length = 0
    fake = fakeFilesApi(join(dir, 'downloads'), {
      getComputeJob: async (id) => {
        const j = jobs.get(id)
        if (j == null) throw new WgtError('NOT_FOUND', `no compute job ${id}`)
        return j
      },
      saveComputeResult: async (id, path) => {
        if (path == null) throw new Error('the route names a path')
        savedTo.push(path)
        await writeFile(path, RESULT, { flag: 'wx' })
        return { path, bytes: RESULT.length, sha256: sha256(RESULT) }
      },
      submitCompute: async () => fake.operations.start('compute', { label: 'wasm job' }, async op => {
        await new Promise((_resolve, reject) => { op.signal.addEventListener('abort', () => { reject(op.signal.reason) }, { once: true }) })
        return null
      })
    })
    server = await startApiServer({ api: fake.api, prometheus: () => '', token, rendererDir: join(dir, 'renderer'), port: 0, uploadDir })
  })

  afterEach(async () => {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('answers a done job\'s result bytes as an attachment, and keeps no copy', async () => {
    jobs.set('Job_1-abc', job('Job_1-abc'))
    const r = await send(server.port, 'GET', '/compute/Job_1-abc/result', auth)
    expect(r.status).toBe(200)
    expect(r.body).toEqual(RESULT)
    expect(r.headers['content-length']).toBe(String(RESULT.length))
    expect(r.headers['content-disposition']).toContain('filename="compute-Job_1-abc.wgtm"')
    expect(r.headers['x-content-sha256']).toBe(sha256(RESULT))
    expect(dirname(dirname(savedTo[0]))).toBe(uploadDir)
    // removed once streamed (the response may end a moment before)
    await emptied(uploadDir)

    const head = await send(server.port, 'HEAD', '/compute/Job_1-abc/result', auth)
    expect(head.status).toBe(200)
    expect(head.headers['content-length']).toBe(String(RESULT.length))
    expect(savedTo.length).toBe(1)
  })

  it('refuses without the token, for unknown or unfinished jobs, and for malformed ids', async () => {
    jobs.set('running1', job('running1', { state: 'running', result: null, endedAt: null, fraction: 0.5 }))
    jobs.set('failed1', job('failed1', { state: 'failed', result: null, error: { code: 'UNAVAILABLE', message: 'no worker' } }))
    jobs.set('done1', job('done1'))
    for (const headers of [{}, { Authorization: 'Bearer wrong' }]) {
      expect((await send(server.port, 'GET', '/compute/done1/result', headers)).status).toBe(401)
    }
    expect((await send(server.port, 'GET', '/compute/nope/result', auth)).status).toBe(404)
    const running = await send(server.port, 'GET', '/compute/running1/result', auth)
    expect(running.status).toBe(409)
    expect(running.body.toString()).toContain('it is running')
    expect((await send(server.port, 'GET', '/compute/failed1/result', auth)).status).toBe(409)
    for (const path of ['/compute/a%2fb/result', '/compute/done1/result/x', '/compute/', `/compute/${'a'.repeat(65)}/result`]) {
      expect((await send(server.port, 'GET', path, auth)).status).toBe(404)
    }
    expect((await send(server.port, 'POST', '/compute/done1/result', auth)).status).toBe(405)
    expect(savedTo).toEqual([])
  })

  it('deletes the uploads a compute job reads when the job ends', async () => {
    const up = async (name: string): Promise<string> => {
      const r = await send(server.port, 'POST', `/upload?name=${name}`, { ...auth, 'Content-Length': 3 }, Buffer.from('abc'))
      expect(r.status).toBe(201)
      return (JSON.parse(r.body.toString()) as { path: string }).path
    }
    const { api, close } = await connectWs(`ws://127.0.0.1:${server.port}/api`, token)
    try {
      const module = await up('m.wasm')
      const input = await up('in.txt')
      const followed = followOperation(api, async () => await api.submitCompute({ kernel: 'wasm', module, input }))
      const operation = await followed.id
      expect(existsSync(module) && existsSync(input)).toBe(true)
      await api.cancelOperation(operation)
      await followed.done.catch(() => {})
      await emptied(uploadDir)
    } finally {
      close()
    }
  })
})
