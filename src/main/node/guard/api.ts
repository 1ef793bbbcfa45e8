/** The guard slice of the API on the node's books. Arguments arrive validated by dispatch(). */
import type { SliceApi, guard } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { parsePeerId } from '../net/peer-id.js'
import type { Contacts } from './contacts.js'
import type { Guard } from './guard.js'

export function guardApi (g: Guard, contacts: Contacts): SliceApi<typeof guard> {
  const id = (peerId: string): string => parsePeerId(peerId).toString()
  return {
    listContacts: async () => g.contacts.list(),
    addContact: async (target, nickname) => await contacts.add(target, nickname),
    acceptContact: async (peerId, nickname) => await contacts.accept(id(peerId), nickname),
    declineContact: async (peerId) => { await contacts.decline(id(peerId)) },
    removeContact: async (peerId) => { await contacts.remove(id(peerId)) },
    renameContact: async (peerId, nickname) => await contacts.rename(id(peerId), nickname),
    blockPeer: async (peerId) => await contacts.block(id(peerId)),
    unblockPeer: async (peerId) => { await contacts.unblock(id(peerId)) },
    getPolicies: async () => g.policies.get(),
    setPolicy: async (capability, value) => await g.policies.set(capability, value),
    listBans: async () => g.reputation.banned().map(peerId => {
      const r = g.reputation.get(peerId)
      return { peerId, until: r.bannedUntil ?? 0, reason: r.lastReason }
    }),
    unbanPeer: async (peerId) => {
      if (!g.reputation.isBanned(id(peerId))) throw new WgtError('NOT_FOUND', `${peerId} is not banned`)
      g.reputation.unban(id(peerId))
    }
  }
}
