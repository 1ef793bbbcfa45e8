/**
 * files in the UI: the node's shared and received files, its operations
 * (share, fetch, repair) as they progress, the inbox of offers, health
 * checks, and the files this window is dropping.
 */
import type { FileEntry, FileHealth, FileOffer, OperationInfo, PeerIdString, StorageInfo } from '../../../shared/api/index.js'
import type { UiSlice } from '../app/slice.js'
import type { HumanError } from '../ui/errors.js'
import {
  filesFromList, operationsFromList, withDrop, withOffer, withOperation, withoutKey, lastHealth,
  type DropJob, type Files, type HealthState, type Operations
} from './state.js'

export interface FilesState {
  files: Files
  operations: Operations
  offers: readonly FileOffer[]
  health: Readonly<Record<string, HealthState>>
  storage: StorageInfo | null
  drops: readonly DropJob[]
  /** operations the user dismissed from the list */
  dismissed: ReadonlySet<string>
  /** a wgt:// link waiting for the person to confirm before it is fetched (LinkPrompt) */
  linkPrompt: string | null
  /** links that arrived while the prompt was open, shown one after another (at most LINK_QUEUE_MAX) */
  linkQueue: readonly string[]

  healthChecking: (id: string) => void
  healthChecked: (id: string, result: { health: FileHealth } | { error: HumanError }) => void
  dropAdded: (drop: DropJob) => void
  dropChanged: (key: string, change: Partial<DropJob>) => void
  dropDismissed: (key: string) => void
  operationDismissed: (id: string) => void
  storageChanged: (storage: StorageInfo) => void
  /**
   * ask before fetching `link` (a link opened from outside, or pasted). While
   * a prompt is open a new link does not replace it (the person may be about
   * to press Fetch): it waits its turn, up to LINK_QUEUE_MAX, and the rest
   * are dropped. null closes the prompt and shows the next waiting link.
   */
  promptLink: (link: string | null) => void
}

/** links waiting behind the open prompt; more are dropped (a page can open links faster than anyone reads them) */
export const LINK_QUEUE_MAX = 8

function nextPrompt (s: FilesState, link: string | null): Pick<FilesState, 'linkPrompt' | 'linkQueue'> {
  if (link == null) return { linkPrompt: s.linkQueue[0] ?? null, linkQueue: s.linkQueue.slice(1) }
  if (s.linkPrompt == null) return { linkPrompt: link, linkQueue: s.linkQueue }
  // the same link again is the one shown or waiting already
  if (s.linkPrompt === link || s.linkQueue.includes(link) || s.linkQueue.length >= LINK_QUEUE_MAX) return { linkPrompt: s.linkPrompt, linkQueue: s.linkQueue }
  return { linkPrompt: s.linkPrompt, linkQueue: [...s.linkQueue, link] }
}

export const filesSlice: UiSlice<FilesState> = {
  name: 'the files',
  create: (set) => ({
    files: {},
    operations: {},
    offers: [],
    health: {},
    storage: null,
    drops: [],
    dismissed: new Set(),
    linkPrompt: null,
    linkQueue: [],
    healthChecking: (id) => { set(s => ({ health: { ...s.health, [id]: { status: 'checking', last: lastHealth(s.health[id]) } } })) },
    healthChecked: (id, result) => {
      set(s => ({
        health: {
          ...s.health,
          [id]: 'health' in result ? { status: 'ok', health: result.health } : { status: 'error', error: result.error, last: lastHealth(s.health[id]) }
        }
      }))
    },
    dropAdded: (drop) => { set(s => ({ drops: [...s.drops, drop] })) },
    dropChanged: (key, change) => { set(s => ({ drops: withDrop(s.drops, key, change) })) },
    dropDismissed: (key) => { set(s => ({ drops: s.drops.filter(d => d.key !== key) })) },
    operationDismissed: (id) => { set(s => ({ dismissed: new Set([...s.dismissed, id]) })) },
    storageChanged: (storage) => { set({ storage }) },
    promptLink: (link) => { set(s => nextPrompt(s, link)) }
  }),
  events: {
    'files:update': (store, entry: FileEntry) => { store.setState(s => ({ files: { ...s.files, [entry.id]: entry } })) },
    'files:remove': (store, { id }) => { store.setState(s => ({ files: withoutKey(s.files, id), health: withoutKey(s.health, id) })) },
    'operation:update': (store, op: OperationInfo) => { store.setState(s => ({ operations: withOperation(s.operations, op) })) },
    'offer:new': (store, offer: FileOffer) => { store.setState(s => ({ offers: withOffer(s.offers, offer) })) },
    'offer:remove': (store, { id }) => { store.setState(s => ({ offers: s.offers.filter(o => o.id !== id) })) }
  },
  load: async (api, store) => {
    const [files, operations, offers, storage] = await Promise.all([api.listFiles(), api.listOperations(), api.listOffers(), api.getStorage()])
    store.setState({ files: filesFromList(files), operations: operationsFromList(operations), offers, storage })
  }
}

/** Offers from peers let straight in, waiting in the inbox: the count shown on Files (requests count under Contacts). */
export function inboxCount (s: { offers: readonly FileOffer[] }): number {
  let n = 0
  for (const o of s.offers) if (o.request !== true) n++
  return n
}

/** Operations still running: the count shown in the navigation. */
export function runningCount (s: { operations: Operations }): number {
  let n = 0
  for (const op of Object.values(s.operations)) if (op.state === 'running') n++
  return n
}

export type { DropJob, PeerIdString }
