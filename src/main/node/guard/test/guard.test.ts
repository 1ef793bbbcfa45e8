/** Guard's verdicts per policy value, for a contact and a stranger, askable capability or not. */
import { MemoryDatastore } from 'datastore-core'
import { describe, expect, it } from 'vitest'
import { CAPABILITIES, POLICY_VALUES } from '../../../../shared/api/index.js'
import { ContactBook } from '../contact-book.js'
import { Guard } from '../guard.js'
import { PolicyBook } from '../policy-book.js'
import { ReputationBook } from '../reputation.js'

const FRIEND = '12D3KooWAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
const STRANGER = '12D3KooWBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'

async function guard (datastore = new MemoryDatastore()): Promise<Guard> {
  const contacts = new ContactBook(datastore)
  const policies = new PolicyBook(datastore)
  const reputation = new ReputationBook({}, datastore)
  await Promise.all([contacts.load(), policies.load(), reputation.load()])
  await contacts.set(FRIEND, { trust: 'contact' })
  return new Guard(reputation, contacts, policies)
}

describe('guard verdicts', () => {
  it('each policy value decides for a contact and for a stranger', async () => {
    const g = await guard()
    const expected = {
      anyone: { friend: 'allow', askable: 'allow', other: 'allow' },
      contacts: { friend: 'allow', askable: 'request', other: 'deny' },
      'contacts-only': { friend: 'allow', askable: 'deny', other: 'deny' },
      nobody: { friend: 'deny', askable: 'deny', other: 'deny' }
    } as const
    for (const value of POLICY_VALUES) {
      for (const cap of CAPABILITIES) await g.policies.set(cap, value)
      expect(g.decide(FRIEND, 'calls')).toBe(expected[value].friend)
      for (const cap of ['offers', 'chat', 'calls'] as const) expect(g.decide(STRANGER, cap)).toBe(expected[value].askable)
      for (const cap of ['storage', 'compute'] as const) expect(g.decide(STRANGER, cap)).toBe(expected[value].other)
    }
  })

  it('keeps contacts-only across a restart', async () => {
    const datastore = new MemoryDatastore()
    await (await guard(datastore)).policies.set('calls', 'contacts-only')
    const again = await guard(datastore)
    expect(again.policies.of('calls')).toBe('contacts-only')
    expect(again.decide(STRANGER, 'calls')).toBe('deny')
  })
})
