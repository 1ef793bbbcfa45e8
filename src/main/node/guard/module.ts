/**
 * The guard capability, as far as it exists yet: the reputation book every
 * protocol service reports violations to, the connection gater that refuses
 * banned peers, and each peer's standing in the directory. Contacts,
 * policies and quotas per peer come with issue 7.
 */
import { part, type NodeModule } from '../module.js'
import { PEER_DIRECTORY, PEER_MEASURES } from '../net/module.js'
import { ReputationBook } from './reputation.js'

export const REPUTATION = part<ReputationBook>('guard.reputation')

export const guardModule: NodeModule = {
  name: 'guard',
  open: ctx => {
    const reputation = new ReputationBook()
    ctx.provide(REPUTATION, reputation)
    ctx.need(PEER_MEASURES).plug({ reputation: id => reputation.get(id) })
  },
  libp2p: ctx => {
    const reputation = ctx.need(REPUTATION)
    return { denyPeer: id => reputation.isBanned(id) }
  },
  start: ctx => {
    const directory = ctx.need(PEER_DIRECTORY)
    const off = ctx.need(REPUTATION).onChange(id => { directory.refresh(id) })
    return { stop: off }
  }
}
