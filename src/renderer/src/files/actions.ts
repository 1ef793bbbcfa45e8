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

async function shareOne ({ api, host, store }: FileActionDeps, file: File, toPeer: PeerIdString | null): Promise<void> {
  const key = `${Date.now().toString(36)}-${++sequence}`
  const s = store.getState()
  s.dropAdded({ key, name: file.name, size: file.size, toPeer, uploaded: host.kind === 'browser' ? 0 : file.size, operation: null, offer: null, error: null })
  let step: 'share' | 'send' = 'share'
  try {
    const path = await host.localPath(file, sent => { s.dropChanged(key, { uploaded: sent }) })
    const { operation } = await api.shareFile(path)
    s.dropChanged(key, { operation, uploaded: file.size })
    if (toPeer == null) return
    const op = await api.waitOperation(operation)
    if (op.state !== 'done' || op.kind !== 'share' || op.result == null) return
    step = 'send'
    s.dropChanged(key, { offer: 'sending' })
    await api.offerFile(toPeer, op.result.link)
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
