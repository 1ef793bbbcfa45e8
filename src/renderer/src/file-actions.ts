/**
 * What happens to a dropped or picked file: its bytes reach the node (a path in
 * Electron, an upload in a browser), the node shares it, and when it was dropped
 * onto a peer the link is sent there. Every step is reflected in the store's drop
 * job, failures included, so nothing fails silently.
 */
import type { WgtApi } from '../../shared/api.js'
import { WgtError } from '../../shared/errors.js'
import type { PeerIdString } from '../../shared/types.js'
import type { HostFiles } from './api/host-files.js'
import { baseName } from './files-state.js'
import type { WgtStore } from './store.js'

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
  s.dropAdded({
    key, name: file.name, label: null, size: file.size, toPeer, stage: host.kind === 'browser' ? 'upload' : 'share',
    uploaded: 0, transfer: null, link: null, fileId: null, error: null
  })
  try {
    const path = await host.localPath(file, sent => { s.dropChanged(key, { uploaded: sent }) })
    s.dropChanged(key, { stage: 'share', label: baseName(path) })
    const result = await api.shareFile(path)
    s.dropChanged(key, { link: result.link, fileId: result.id, stage: toPeer != null ? 'offer' : 'done' })
    if (toPeer != null) {
      await api.offerFile(toPeer, result.link)
      s.dropChanged(key, { stage: 'done' })
    }
  } catch (err) {
    const e = WgtError.from(err)
    s.dropChanged(key, { stage: 'failed', error: e.message })
  }
}

/** Check one file's health and record the outcome; never throws. */
export async function checkHealth (api: WgtApi, store: WgtStore, id: string): Promise<void> {
  store.getState().healthChecking(id)
  try {
    store.getState().healthChecked(id, { health: await api.fileHealth(id) })
  } catch (err) {
    store.getState().healthChecked(id, { error: WgtError.from(err).message })
  }
}
