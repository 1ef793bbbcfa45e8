import { useRef, useState } from 'react'
import { CAPABILITIES, CAPABILITY_LABELS, POLICY_VALUES, type Capability, type PolicyValue } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { describeError, type HumanError } from '../ui/errors.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'

const VALUE_LABEL: Record<PolicyValue, string> = { anyone: 'Anyone', contacts: 'Contacts', 'contacts-only': 'Contacts only', nobody: 'Nobody' }

/** What 'contacts' means for each capability: a stranger's offer, message or call becomes a request; storage and compute are refused. */
export const CONTACTS_MEANS: Readonly<Record<Capability, string>> = {
  storage: 'Contacts: peers that are not your contacts cannot place shards here.',
  offers: 'Contacts: a stranger\'s file offer arrives as a request you accept or decline.',
  chat: 'Contacts: a stranger\'s first message arrives as a request, not in your chats.',
  calls: 'Contacts: a stranger\'s call arrives as a request; it does not ring.',
  compute: 'Contacts: jobs from peers that are not your contacts are refused.'
}

/** What 'contacts-only' adds: nothing from a stranger arrives, not even as a request, and the stranger is told why. */
const CONTACTS_ONLY_MEANS = 'Contacts only: a stranger is refused and told so; nothing of it arrives, not even as a request.'

function PolicyRow ({ capability }: { capability: Capability }): React.JSX.Element {
  const { api, store } = useApp()
  const current = useWgt(s => s.policies?.[capability] ?? null)
  const [pending, setPending] = useState<PolicyValue | null>(null)
  const [error, setError] = useState<HumanError | null>(null)
  const last = useRef(0)
  const shown = pending ?? current
  // not disabled while saving: the arrow keys walk the choices, each one sent in order (the last one wins)
  const choose = (value: PolicyValue): void => {
    const mine = ++last.current
    setPending(value)
    setError(null)
    api.setPolicy(capability, value).then(
      policies => { store.getState().policiesChanged(policies) },
      (err: unknown) => { if (mine === last.current) setError(describeError('policy', err)) }
    ).finally(() => { if (mine === last.current) setPending(null) })
  }
  const clear = (): void => { setError(null) }
  const labelId = `policy-${capability}-label`
  const helpId = `policy-${capability}-help`
  return (
    <div className='policy' role='radiogroup' aria-labelledby={labelId} aria-describedby={helpId} data-capability={capability} data-value={current ?? undefined}>
      <span id={labelId} className='policy-label'>{CAPABILITY_LABELS[capability]}</span>
      <span className='radio-row'>
        {POLICY_VALUES.map(v => (
          <label key={v} className='check'>
            <input type='radio' name={`policy-${capability}`} value={v} checked={shown === v} disabled={current == null}
              onChange={() => { choose(v) }} />
            {VALUE_LABEL[v]}
          </label>
        ))}
      </span>
      <span id={helpId} className='muted policy-help'>{CONTACTS_MEANS[capability]} {CONTACTS_ONLY_MEANS}</span>
      {error != null && <span className='policy-error'><ErrorNotice error={error} compact onDismiss={clear} /></span>}
    </div>
  )
}

/** Who may use each part of this node; the node keeps the choice, and every window follows the 'policy' event. */
export function PoliciesSection (): React.JSX.Element {
  const loaded = useWgt(s => s.policies != null)
  return (
    <section className='card' aria-labelledby='policies-title' data-testid='policies'>
      <h2 id='policies-title'>Policies</h2>
      <p className='muted'>Who may use each part of this node. Blocked and banned peers may use none of it.</p>
      {!loaded
        ? <p className='muted'>Loading…</p>
        : <div className='policies'>{CAPABILITIES.map(c => <PolicyRow key={c} capability={c} />)}</div>}
    </section>
  )
}
