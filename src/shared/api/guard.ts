/**
 * guard: who may do what (DESIGN.md §6). Contacts need consent from both
 * sides, as in Jami and Briar: adding a peer sends a request, the other side
 * accepts, declines or blocks. A policy per capability says whether anyone,
 * only contacts, or nobody may use it; a stranger's offer, message or call
 * under 'contacts' arrives as a request, not as content. Bans come from
 * reputation (protocol violations) and expire; blocks come from the user and
 * do not.
 */
import { carries, method, returns } from './define.js'
import type { PeerIdString } from './net.js'
import { multiaddrSchema, peerIdSchema } from './schemas.js'

/**
 * How this node stands with a peer:
 * - 'contact': both sides agreed;
 * - 'request-sent': we asked, they have not answered (or the request is not delivered yet);
 * - 'request-received': they asked, we have not answered;
 * - 'stranger': nothing between us;
 * - 'blocked': the user blocked them; nothing from them is served or accepted.
 */
export type TrustStatus = 'contact' | 'request-sent' | 'request-received' | 'stranger' | 'blocked'

export interface Contact {
  peerId: PeerIdString
  trust: Exclude<TrustStatus, 'stranger'>
  /** the user's name for this peer; null when none was given */
  nickname: string | null
  /** addresses the user gave or the peer was last reached at */
  addresses: string[]
  /** ms since epoch the record was made and last changed */
  since: number
  updatedAt: number
  /** our request or acceptance has not reached the peer yet: it is sent when the peer is next connected */
  undelivered: boolean
}

export const CAPABILITIES = ['storage', 'offers', 'chat', 'calls', 'compute'] as const
export type Capability = typeof CAPABILITIES[number]
/**
 * - 'anyone': every peer that is not blocked or banned;
 * - 'contacts': contacts; a stranger's offer, message or call arrives as a request
 *   (storage and compute, which have no request form, are refused);
 * - 'contacts-only': contacts; a stranger is refused outright, with a reason it is told;
 * - 'nobody': no peer.
 */
export const POLICY_VALUES = ['anyone', 'contacts', 'contacts-only', 'nobody'] as const
export type PolicyValue = typeof POLICY_VALUES[number]
export type Policies = Record<Capability, PolicyValue>

/**
 * Safe for a desktop user: storing shards stays open to anyone (within the
 * per-peer quotas) so a new user's files can be placed at once; offers, chat
 * and calls from strangers arrive as requests; compute runs only for contacts.
 */
export const DEFAULT_POLICIES: Readonly<Policies> = Object.freeze({
  storage: 'anyone',
  offers: 'contacts',
  chat: 'contacts',
  calls: 'contacts',
  compute: 'contacts'
})

export const CAPABILITY_LABELS: Readonly<Record<Capability, string>> = Object.freeze({
  storage: 'Store shards for others',
  offers: 'Receive file offers',
  chat: 'Chat',
  calls: 'Calls',
  compute: 'Run compute for others'
})

export interface BannedPeer {
  peerId: PeerIdString
  /** ms since epoch the ban ends */
  until: number
  reason: string | null
}

const nicknameSchema = (z: Parameters<typeof peerIdSchema>[0]) => z.string().trim().min(1).max(64)
  .refine(s => !/\p{Cc}/u.test(s), 'a nickname cannot contain control characters')

export const guard = {
  name: 'guard',
  methods: {
    listContacts: method({ args: z => z.tuple([]), result: returns<Contact[]>() }),
    /** send a contact request; a multiaddr (with /p2p/<peerId>) also says where to reach the peer */
    addContact: method({
      args: z => z.tuple([z.union([multiaddrSchema(z), peerIdSchema(z)]), nicknameSchema(z).optional()]),
      result: returns<Contact>()
    }),
    acceptContact: method({ args: z => z.tuple([peerIdSchema(z), nicknameSchema(z).optional()]), result: returns<Contact>() }),
    declineContact: method({ args: z => z.tuple([peerIdSchema(z)]), result: returns<void>() }),
    /** remove a contact or withdraw a request; the peer is told when it can be reached */
    removeContact: method({ args: z => z.tuple([peerIdSchema(z)]), result: returns<void>() }),
    renameContact: method({ args: z => z.tuple([peerIdSchema(z), nicknameSchema(z).nullable()]), result: returns<Contact>() }),
    /** close the peer's connections and refuse it in both directions until unblocked */
    blockPeer: method({ args: z => z.tuple([peerIdSchema(z)]), result: returns<Contact>() }),
    unblockPeer: method({ args: z => z.tuple([peerIdSchema(z)]), result: returns<void>() }),
    getPolicies: method({ args: z => z.tuple([]), result: returns<Policies>() }),
    setPolicy: method({
      args: z => z.tuple([z.enum(CAPABILITIES), z.enum(POLICY_VALUES)]),
      result: returns<Policies>()
    }),
    listBans: method({ args: z => z.tuple([]), result: returns<BannedPeer[]>() }),
    unbanPeer: method({ args: z => z.tuple([peerIdSchema(z)]), result: returns<void>() })
  },
  events: {
    'contact:update': carries<Contact>(),
    /** the peer went back to stranger (removed, declined, unblocked) */
    'contact:remove': carries<{ peerId: PeerIdString }>(),
    'policy': carries<Policies>()
  }
} as const
