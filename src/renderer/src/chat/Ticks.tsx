import type { ChatMessage } from '../../../shared/api/index.js'
import { ClockIcon } from './icons.js'

/** The words for each state of an outgoing message: the tick's label for assistive technology and its tooltip. */
export const STATE_HELP: Record<Exclude<ChatMessage['state'], 'received'>, string> = {
  pending: 'Waiting to be sent: the peer has not been reached yet',
  sent: 'Sealed and left in other peers\' mailboxes: it reaches the peer when it comes online',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not sent'
}

const CHECK = 'M2.5 8.5l3.2 3.2L13.5 4'

/** One tick drawn as an outline: sealed in mailboxes, not yet with the peer. */
function HollowTick (): React.JSX.Element {
  return (
    <svg viewBox='0 0 16 16' width='14' height='13' aria-hidden='true' className='tick-hollow'>
      <path d={CHECK} fill='none' stroke='currentColor' strokeWidth='3.4' strokeLinecap='round' strokeLinejoin='round' />
      <path d={CHECK} fill='none' stroke='var(--tick-inner)' strokeWidth='1.4' strokeLinecap='round' strokeLinejoin='round' />
    </svg>
  )
}

function Tick ({ double = false }: { double?: boolean }): React.JSX.Element {
  return (
    <svg viewBox={double ? '0 0 22 16' : '0 0 16 16'} width={double ? 19 : 14} height='13' aria-hidden='true'>
      <path d={CHECK} fill='none' stroke='currentColor' strokeWidth='1.8' strokeLinecap='round' strokeLinejoin='round' />
      {double && <path d='M8.5 11.2l.5.5L19 4' fill='none' stroke='currentColor' strokeWidth='1.8' strokeLinecap='round' strokeLinejoin='round' />}
    </svg>
  )
}

/** Where an outgoing message stands: clock, hollow tick, ✓, ✓✓ (accent), or the failure. */
export function Ticks ({ state }: { state: ChatMessage['state'] }): React.JSX.Element | null {
  if (state === 'received') return null
  const icon = state === 'pending' ? <ClockIcon /> : state === 'sent' ? <HollowTick /> : state === 'delivered' ? <Tick /> : state === 'read' ? <Tick double /> : <span aria-hidden='true'>!</span>
  return (
    <span className={`ticks ticks-${state}`} role='img' aria-label={STATE_HELP[state]} title={STATE_HELP[state]} data-testid='ticks' data-state={state}>
      {icon}
    </span>
  )
}
