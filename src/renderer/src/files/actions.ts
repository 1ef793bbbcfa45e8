/**
 * What a person does with files, as calls on the node: share dropped or
 * picked files (a path in Electron, an upload in a browser), send the link
 * to the peer a file was dropped on, check health. Every failure ends in the
 * store as an error a person can read; nothing fails silently.
 */
import type { PeerIdString, WgtApi } from '../../../shared/api/index.js'
import type { HostFiles } from '../api/host-files.js'
import type { WgtStore } from '../app/slices.js'
import { describeError } from '../ui/errors.js'

let sequence = 0

export interface FileActionDeps {
  api: WgtApi
  host: HostFiles
  store: WgtStore
}

export async function shareFiles (deps: FileActionDeps, files: readonly File[], toPeer: PeerIdString | null): Promise<void> {
  await Promise.all(files.map(async file => { await shareOne(deps, file, toPeer) }))
}

/** A key for a new drop in the files slice. */
export function newDropKey (): string {
  return `${Date.now().toString(36)}-${++sequence}`
}

/**
 * Upload (in a browser) and start sharing one file, recorded as the drop
 * `key` (its upload progress, then its operation): the operation id, or null
 * when it could not start (the drop says why). The chat shares a file
 * into a conversation with it.
 */
export async function startShare ({ api, host, store }: FileActionDeps, file: File, key: string, toPeer: PeerIdString | null = null): Promise<string | null> {
  const s = store.getState()
  s.dropAdded({ key, name: file.name, size: file.size, toPeer, uploaded: host.kind === 'browser' ? 0 : file.size, operation: null, offer: null, error: null })
  try {
    const path = await host.localPath(file, sent => { s.dropChanged(key, { uploaded: sent }) })
    const { operation } = await api.shareFile(path)
    s.dropChanged(key, { operation, uploaded: file.size })
    return operation
  } catch (err) {
    s.dropChanged(key, { error: describeError('share', err), offer: null })
    return null
  }
}

async function shareOne (deps: FileActionDeps, file: File, toPeer: PeerIdString | null): Promise<void> {
  const key = newDropKey()
  const operation = await startShare(deps, file, key, toPeer)
  if (operation == null || toPeer == null) return
  const s = deps.store.getState()
  let step: 'share' | 'send' = 'share'
  try {
    const op = await deps.api.waitOperation(operation)
    if (op.state !== 'done' || op.kind !== 'share' || op.result == null) return
    step = 'send'
    s.dropChanged(key, { offer: 'sending' })
    await deps.api.offerFile(toPeer, op.result.link)
    s.dropChanged(key, { offer: 'sent' })
  } catch (err) {
    s.dropChanged(key, { error: describeError(step, err), offer: null })
  }
}

/** Check one file's health and record the outcome; never throws. */
export async function checkHealth (api: WgtApi, store: WgtStore, id: string): Promise<void> {
  store.getState().healthChecking(id)
  try {
    store.getState().healthChecked(id, { health: await api.fileHealth(id) })
  } catch (err) {
    store.getState().healthChecked(id, { error: describeError('check', err) })
  }
}
