/**
 * The guard capability (DESIGN.md §6): contacts and trust, policies per
 * capability, reputation and bans, the connection gater, and the screen in
 * front of every inbound stream. Every service asks GUARD "may this peer do
 * this?"; the peer directory shows each peer's trust, nickname and standing.
 * A move to banned or blocked closes the peer's connections at once.
 */
import type { Contact } from '../../../shared/api/index.js'
import { part, type NodeModule } from '../module.js'
import { PEER_DIRECTORY, PEER_MEASURES } from '../net/module.js'
import { parsePeerId } from '../net/peer-id.js'
import { guardApi } from './api.js'
import { ContactBook } from './contact-book.js'
import { contactService, type ContactService } from './contact-service.js'
import { Contacts } from './contacts.js'
import { Guard } from './guard.js'
import { PolicyBook } from './policy-book.js'
import { ReputationBook } from './reputation.js'

export const GUARD = part<Guard>('guard')
/** the violation reporter protocol services are built with */
export const REPUTATION = part<ReputationBook>('guard.reputation')

export const guardModule: NodeModule = {
  name: 'guard',
  open: async ctx => {
    const reputation = new ReputationBook({}, ctx.datastore)
    const contacts = new ContactBook(ctx.datastore)
    const policies = new PolicyBook(ctx.datastore)
    await Promise.all([reputation.load(), contacts.load(), policies.load()])
    const guard = new Guard(reputation, contacts, policies)
    ctx.provide(GUARD, guard)
    ctx.provide(REPUTATION, reputation)
    ctx.need(PEER_MEASURES).plug({
      reputation: id => reputation.get(id),
      trust: id => contacts.trust(id),
      nickname: id => contacts.nickname(id)
    })
    // after libp2p stopped: the last violations reach the datastore before it closes
    return async () => { await reputation.flush() }
  },
  libp2p: ctx => {
    const guard = ctx.need(GUARD)
    return {
      services: { contact: contactService({ reputation: guard.reputation, book: guard.contacts }) },
      denyPeer: id => guard.isRefused(id),
      screen: {
        admit: id => !guard.isRefused(id),
        violation: (id, protocol, reason) => { guard.reputation.recordViolation(id, `${protocol}: ${reason}`) }
      }
    }
  },
  start: ctx => {
    const { libp2p, events } = ctx
    const guard = ctx.need(GUARD)
    const directory = ctx.need(PEER_DIRECTORY)
    const contacts = new Contacts({ libp2p, book: guard.contacts, service: ctx.service<ContactService>('contact') })
    const hangUp = (peerId: string): void => { void libp2p.hangUp(parsePeerId(peerId)).catch(() => {}) }
    const offReputation = guard.reputation.onChange((id, info) => {
      if (info.state === 'banned') hangUp(id)
      directory.refresh(id)
    })
    const offContacts = guard.contacts.onChange(({ peerId, contact }: { peerId: string, contact: Contact | null }) => {
      if (contact == null) events.emit('contact:remove', { peerId })
      else events.emit('contact:update', contact)
      if (contact?.trust === 'blocked') hangUp(peerId)
      directory.refresh(peerId)
    })
    const offPolicies = guard.policies.onChange(p => { events.emit('policy', p) })
    // violations age out of the window and bans end: their records go from memory and the datastore
    const pruner = setInterval(() => {
      guard.reputation.prune()
      void guard.reputation.flush().catch(() => {})
    }, 10 * 60_000)
    pruner.unref()
    contacts.start()
    return {
      api: guardApi(guard, contacts),
      stop: () => {
        clearInterval(pruner)
        contacts.stop()
        offReputation(); offContacts(); offPolicies()
      }
    }
  }
}
