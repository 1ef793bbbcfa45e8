/**
 * guard in the UI: the contact book (contacts, requests both ways, blocks),
 * the policy per capability, and the current bans. Contacts and policies
 * follow the node's events; bans follow the peer directory's reputation
 * (a peer:update says when a peer is banned or no longer), on top of the
 * list loaded on every (re)connect.
 */
import type { BannedPeer, Contact, Policies, PeerIdString } from '../../../shared/api/index.js'
import type { UiSlice } from '../app/slice.js'
import { bansWithPeer, contactsFromList, withContact, withoutContact, type Contacts } from './state.js'

export interface GuardState {
  contacts: Contacts
  /** the book was loaded once: from then on it, not the peer directory, says who is a contact */
  contactsLoaded: boolean
  policies: Policies | null
  bans: readonly BannedPeer[]
  /** a wgt://contact/ link the desktop shell handed over: Add a contact shows it filled in, the person sends */
  contactDraft: string | null

  contactChanged: (contact: Contact) => void
  contactRemoved: (peerId: PeerIdString) => void
  policiesChanged: (policies: Policies) => void
  banLifted: (peerId: PeerIdString) => void
  draftContact: (link: string | null) => void
}

export const guardSlice: UiSlice<GuardState> = {
  name: 'the contacts',
  create: (set) => ({
    contacts: {},
    contactsLoaded: false,
    policies: null,
    bans: [],
    contactDraft: null,
    contactChanged: (contact) => { set(s => ({ contacts: withContact(s.contacts, contact) })) },
    contactRemoved: (peerId) => { set(s => ({ contacts: withoutContact(s.contacts, peerId) })) },
    policiesChanged: (policies) => { set({ policies }) },
    banLifted: (peerId) => { set(s => ({ bans: s.bans.filter(b => b.peerId !== peerId) })) },
    draftContact: (contactDraft) => { set({ contactDraft }) }
  }),
  events: {
    'contact:update': (store, contact) => { store.getState().contactChanged(contact) },
    'contact:remove': (store, { peerId }) => { store.getState().contactRemoved(peerId) },
    policy: (store, policies) => { store.setState({ policies }) },
    'peer:update': (store, peer) => {
      store.setState(s => {
        const bans = bansWithPeer(s.bans, peer)
        return bans === s.bans ? s : { bans }
      })
    }
  },
  load: async (api, store) => {
    const [contacts, policies, bans] = await Promise.all([api.listContacts(), api.getPolicies(), api.listBans()])
    store.setState({ contacts: contactsFromList(contacts), contactsLoaded: true, policies, bans })
  }
}
