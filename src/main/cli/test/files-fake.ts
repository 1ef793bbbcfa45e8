/**
 * A small in-test WgtApi for the files surface (CLI commands, upload/download routes):
 * it reads the path it is asked to share (as the node would) and records what it was
 * asked, and emits 'file:progress' like the node's files service.
 */
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { WgtApi } from '../../../shared/api.js'
import { WgtError } from '../../../shared/errors.js'
import { EventHub } from '../../../shared/rpc.js'
import type { FileEntry, FileHealth, StorageInfo, TransferProgress } from '../../../shared/types.js'

export const FILE_ID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
export const LINK = `wgt://${FILE_ID}#${'A'.repeat(42)}g`

export interface FakeFiles {
  api: WgtApi
  hub: EventHub
  calls: Array<{ method: string, args: unknown[] }>
  /** bytes the fake read from each shared path, at share time */
  shared: Map<string, Buffer>
  files: FileEntry[]
  storage: StorageInfo
  /** runs inside shareFile after the file is read, before it resolves */
  duringShare?: (path: string) => Promise<void>
  health: FileHealth
}

export function fakeFilesApi (downloadDir: string): FakeFiles {
  const hub = new EventHub()
  const calls: FakeFiles['calls'] = []
  const shared = new Map<string, Buffer>()
  const progress = (p: Partial<TransferProgress>): void => {
    hub.emit('file:progress', { transfer: 't1', kind: 'share', label: '', fileId: null, phase: 'encode', done: 0, total: 1, unit: 'bytes', ...p })
  }
  const fake: FakeFiles = {
    hub,
    calls,
    shared,
    files: [],
    storage: { used: 0, quota: 1 << 20, shards: 0, downloadDir },
    health: {
      id: FILE_ID,
      checkedAt: 1,
      manifestReachable: true,
      segments: [{ index: 0, k: 4, total: 6, reachable: 6, holders: ['a'] }, { index: 1, k: 4, total: 6, reachable: 3, holders: ['a'] }],
      minReachable: 3,
      recoverable: false
    },
    api: undefined as unknown as WgtApi
  }
  const record = (method: string, args: unknown[]): void => { calls.push({ method, args }) }
  const unused = async (): Promise<never> => { throw new WgtError('INTERNAL', 'not used in this test') }
  fake.api = {
    on: (event, listener) => hub.on(event, listener),
    getIdentity: unused,
    getReachability: unused,
    listPeers: unused,
    getPeer: unused,
    connect: unused,
    disconnect: unused,
    ping: unused,
    getMetrics: unused,
    getHistory: unused,
    shareFile: async (path, options) => {
      record('shareFile', options == null ? [path] : [path, options])
      let bytes: Buffer
      try {
        bytes = await readFile(path)
      } catch {
        throw new WgtError('NOT_FOUND', `no file at ${path}`)
      }
      shared.set(path, bytes)
      // another transfer first: the CLI must follow its own, not this one
      progress({ transfer: 'other', kind: 'fetch', label: 'x', phase: 'fetch' })
      progress({ transfer: 't1', label: basename(path), phase: 'encode', done: bytes.length / 2, total: bytes.length })
      progress({ transfer: 't1', label: basename(path), phase: 'done', done: bytes.length, total: bytes.length })
      await fake.duringShare?.(path)
      return { link: LINK, id: FILE_ID, name: basename(path), size: bytes.length, k: options?.k ?? 4, m: options?.m ?? 2 }
    },
    fetchFile: async (link, outPath) => {
      record('fetchFile', outPath == null ? [link] : [link, outPath])
      const bytes = Buffer.from('fetched bytes\n')
      const path = outPath ?? join(downloadDir, 'fetched.txt')
      await writeFile(path, bytes)
      hub.emit('file:progress', { transfer: 't2', kind: 'fetch', label: link, fileId: null, phase: 'locate', done: 0, total: 1, unit: 'shards' })
      return {
        id: FILE_ID, name: 'fetched.txt', size: bytes.length, path, sha256: createHash('sha256').update(bytes).digest('hex'),
        badHolders: [], resumedSegments: 0
      }
    },
    listFiles: async () => { record('listFiles', []); return fake.files },
    fileHealth: async (ref) => { record('fileHealth', [ref]); return fake.health },
    repairFile: async (ref) => { record('repairFile', [ref]); return { id: FILE_ID, recreated: 3, health: { ...fake.health, recoverable: true } } },
    offerFile: async (peerId, link) => { record('offerFile', [peerId, link]) },
    getStorage: async () => fake.storage,
    setStorageQuota: async (bytes) => { fake.storage = { ...fake.storage, quota: bytes }; return fake.storage }
  }
  return fake
}
