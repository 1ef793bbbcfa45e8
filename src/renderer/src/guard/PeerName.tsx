import type { PeerIdString, TrustStatus } from '../../../shared/api/index.js'
import { useWgt } from '../app/context.js'
import { shortPeerId } from '../format.js'
import { standingOf } from './state.js'

const TRUST_LABEL: Record<TrustStatus, string> = {
  contact: 'contact',
  'request-sent': 'request sent',
  'request-received': 'asks to be a contact',
  stranger: 'stranger',
  blocked: 'blocked'
}

const TRUST_CLASS: Record<TrustStatus, string> = {
  contact: 'pill-ok',
  'request-sent': 'pill-neutral',
  'request-received': 'pill-warn',
  stranger: 'pill-neutral',
  blocked: 'pill-bad'
}

const TRUST_HELP: Record<TrustStatus, string> = {
  contact: 'A contact: you both agreed',
  'request-sent': 'You asked to be contacts; no answer yet',
  'request-received': 'Asked to be your contact: answer under Contacts',
  stranger: 'Not a contact: your policies decide what it may do',
  blocked: 'Blocked: nothing from this peer is accepted'
}

export function TrustPill ({ trust }: { trust: TrustStatus }): React.JSX.Element {
  return <span className={`pill ${TRUST_CLASS[trust]}`} data-testid='trust' data-trust={trust} title={TRUST_HELP[trust]}>{TRUST_LABEL[trust]}</span>
}

/** 'known': a pill only for peers that are more than strangers (the default where most peers are strangers) */
export type PillMode = 'always' | 'known' | 'never'

/** A peer as a person knows it: the name they gave it, then the short PeerId (the full one on hover). Pure, for tests. */
export function PeerNameView ({ peerId, nickname, trust, pill = 'known' }: { peerId: PeerIdString, nickname: string | null, trust: TrustStatus, pill?: PillMode }): React.JSX.Element {
  const showPill = pill === 'always' || (pill === 'known' && trust !== 'stranger')
  return (
    <span className='peer-name' data-testid='peer-name' data-peer-id={peerId} data-trust={trust} title={peerId}>
      {nickname != null && <span className='peer-nick' title={nickname}>{nickname}</span>}
      <span className={nickname != null ? 'mono muted' : 'mono'}>{shortPeerId(peerId)}</span>
      {showPill && <TrustPill trust={trust} />}
    </span>
  )
}

/** PeerNameView with the nickname and trust from the store: the one way a peer is named anywhere in the UI. */
export function PeerName ({ peerId, pill }: { peerId: PeerIdString, pill?: PillMode }): React.JSX.Element {
  const trust = useWgt(s => standingOf(s, peerId).trust)
  const nickname = useWgt(s => standingOf(s, peerId).nickname)
  return <PeerNameView peerId={peerId} nickname={nickname} trust={trust} pill={pill} />
}

/** The trust pill of a peer, from the store. */
export function PeerTrust ({ peerId }: { peerId: PeerIdString }): React.JSX.Element {
  return <TrustPill trust={useWgt(s => standingOf(s, peerId).trust)} />
}
