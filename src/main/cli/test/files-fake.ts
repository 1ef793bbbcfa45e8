/**
 * The files surface of a stand-in node (CLI commands, upload and download
 * routes): share reads the path it is given (as the node would) and runs as
 * an operation with progress, fetch writes a small file, and every call is
 * recorded.
 */
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { FileEntry, FileHealth, NodeMethods, StorageInfo } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { fakeNode, type FakeNode } from './fake-node.js'

export const FILE_ID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
export const LINK = `wgt://${FILE_ID}#${'A'.repeat(42)}g`

export interface FakeFiles extends FakeNode {
  /** bytes the fake read from each shared path, at share time */
  shared: Map<string, Buffer>
  files: FileEntry[]
  storage: StorageInfo
  /** runs inside a share after the file is read, before it ends */
  duringShare?: (path: string) => Promise<void>
  health: FileHealth
}

/** `more`: behaviours of other capabilities, for a test that needs files beside them */
export function fakeFilesApi (downloadDir: string, more: Partial<NodeMethods> = {}): FakeFiles {
  const shared = new Map<string, Buffer>()
  // the behaviours below run only once `fake` exists
  const node = fakeNode({
    shareFile: async (path, options) => {
      let bytes: Buffer
      try {
        bytes = await readFile(path)
      } catch {
        throw new WgtError('NOT_FOUND', `no file at ${path}`)
      }
      return fake.operations.start('share', { label: basename(path) }, async op => {
        shared.set(path, bytes)
        op.progress('sending', 0.5, { done: bytes.length / 2, total: bytes.length })
        // like the node's work, it stops when its operation is cancelled
        await Promise.race([fake.duringShare?.(path), new Promise((_resolve, reject) => {
          op.signal.addEventListener('abort', () => { reject(op.signal.reason) }, { once: true })
        })])
        op.progress('finishing', 0, { done: bytes.length, total: bytes.length })
        return { link: LINK, id: FILE_ID, name: basename(path), size: bytes.length, k: options?.k ?? 4, m: options?.m ?? 2 }
      })
    },
    fetchFile: async (link, outPath) => fake.operations.start('fetch', { label: link, fileId: FILE_ID }, async op => {
      op.progress('locating', 1)
      const bytes = Buffer.from('fetched bytes\n')
      const path = outPath ?? join(downloadDir, 'fetched.txt')
      await writeFile(path, bytes)
      return {
        id: FILE_ID, name: 'fetched.txt', size: bytes.length, path, sha256: createHash('sha256').update(bytes).digest('hex'),
        badHolders: [], resumedSegments: 0, existing: false
      }
    }),
    listFiles: async () => fake.files,
    fileHealth: async () => fake.health,
    repairFile: async () => fake.operations.start('repair', { label: FILE_ID, fileId: FILE_ID }, async () => ({ id: FILE_ID, recreated: 3, health: { ...fake.health, recoverable: true } })),
    offerFile: async () => {},
    getStorage: async () => fake.storage,
    setStorageQuota: async (bytes) => { fake.storage = { ...fake.storage, quota: bytes }; return fake.storage },
    getSettings: async () => ({ downloadDir, keepFetchedShards: true }),
    ...more
  })
  const fake: FakeFiles = {
    ...node,
    shared,
    files: [],
    storage: { used: 0, quota: 1 << 20, shards: 0, own: { bytes: 0, shards: 0 } },
    health: {
      id: FILE_ID,
      checkedAt: 1,
      manifestReachable: true,
      segments: [{ index: 0, k: 4, total: 6, reachable: 6, holders: ['a'], lost: [] }, { index: 1, k: 4, total: 6, reachable: 3, holders: ['a'], lost: [] }],
      minReachable: 3,
      recoverable: false
    }
  }
  return fake
}
