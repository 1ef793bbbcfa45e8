/**
 * Guard answers the one question every service asks before it serves a peer:
 * may this peer do this? (DESIGN.md §6). A banned or blocked peer may do
 * nothing; otherwise the capability's policy decides, and under 'contacts' a
 * stranger's offer, message or call becomes a request (the user sees who
 * asks, not the content) while storage and compute are simply refused;
 * under 'contacts-only' a stranger is refused whatever the capability.
 */
import type { Capability } from '../../../shared/api/index.js'
import type { ContactBook } from './contact-book.js'
import type { PolicyBook } from './policy-book.js'
import type { ReputationBook } from './reputation.js'

/** 'request': take it as a request the user answers (offers, chat, calls from strangers) */
export type Verdict = 'allow' | 'request' | 'deny'

/** Capabilities where a stranger's attempt under 'contacts' is held as a request rather than refused. */
const ASKABLE = new Set<Capability>(['offers', 'chat', 'calls'])

export class Guard {
  constructor (
    readonly reputation: ReputationBook,
    readonly contacts: ContactBook,
    readonly policies: PolicyBook
  ) {}

  /** Refused outright: on dial, on inbound connections, and on every inbound stream. */
  isRefused (peerId: string): boolean {
    return this.contacts.trust(peerId) === 'blocked' || this.reputation.isBanned(peerId)
  }

  decide (peerId: string, capability: Capability): Verdict {
    if (this.isRefused(peerId)) return 'deny'
    const policy = this.policies.of(capability)
    if (policy === 'anyone') return 'allow'
    if (policy === 'nobody') return 'deny'
    if (this.contacts.trust(peerId) === 'contact') return 'allow'
    // 'contacts-only': a stranger is not even asked about
    return policy === 'contacts' && ASKABLE.has(capability) ? 'request' : 'deny'
  }

  /** For services with no request form: allowed, or not. */
  may (peerId: string, capability: Capability): boolean {
    return this.decide(peerId, capability) === 'allow'
  }
}
