/**
 * What this node remembers about files it shared or received, in the node's
 * datastore under /wgt/files/<id>: the entry shown in the UI, the link (with
 * its key: the data directory is 0700 and the link is what lets this node
 * check and repair the file later) and both segment tables with the current
 * placement, which repair updates.
 */
import { Key, type Datastore } from 'interface-datastore'
import { WgtError } from '../../../shared/errors.js'
import type { FileEntry } from '../../../shared/api/index.js'
import type { ManifestData, RootData } from './tables.js'

const PREFIX = '/wgt/files'

export interface FileRecord {
  entry: FileEntry
  root: RootData
  manifest: ManifestData
  /** peers holding the root record */
  rootHolders: string[]
}

interface StoredRecord extends Omit<FileRecord, 'root'> {
  root: Omit<RootData, 'fileId'> & { fileId: string }
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class FileRecords {
  constructor (private readonly datastore: Datastore) {}

  async put (rec: FileRecord): Promise<void> {
    const stored: StoredRecord = { ...rec, root: { ...rec.root, fileId: Buffer.from(rec.root.fileId).toString('base64') } }
    await this.datastore.put(keyOf(rec.entry.id), encoder.encode(JSON.stringify(stored)))
  }

  async get (id: string): Promise<FileRecord | null> {
    let bytes: Uint8Array
    try {
      bytes = await this.datastore.get(keyOf(id))
    } catch (err) {
      if ((err as Error).name === 'NotFoundError') return null
      throw WgtError.from(err, 'UNAVAILABLE')
    }
    return revive(JSON.parse(decoder.decode(bytes)) as StoredRecord)
  }

  async list (): Promise<FileEntry[]> {
    const out: FileEntry[] = []
    for await (const { value } of this.datastore.query({ prefix: PREFIX })) {
      out.push(entryOf((JSON.parse(decoder.decode(value)) as StoredRecord).entry))
    }
    return out.sort((a, b) => b.createdAt - a.createdAt)
  }

  async delete (id: string): Promise<void> {
    await this.datastore.delete(keyOf(id))
  }
}

function keyOf (id: string): Key {
  if (!/^b[a-z2-7]{20,120}$/.test(id)) throw new WgtError('INVALID_INPUT', `not a file id: ${id.slice(0, 80)}`)
  return new Key(`${PREFIX}/${id}`)
}

function revive (s: StoredRecord): FileRecord {
  return { ...s, entry: entryOf(s.entry), root: { ...s.root, fileId: new Uint8Array(Buffer.from(s.root.fileId, 'base64')) } }
}

/** Records written before a field existed get its empty value. */
function entryOf (e: FileEntry): FileEntry {
  return { ...e, from: e.from ?? null }
}
