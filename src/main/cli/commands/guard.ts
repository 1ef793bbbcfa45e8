/** wgt contacts [add|accept|decline|remove|block|unblock] | policy: who may do what on this node. */
import { CAPABILITIES, POLICY_VALUES, type Capability, type Contact, type Policies, type PolicyValue } from '../../../shared/api/index.js'
import { contactTarget, isContactLink, parseContactLink } from '../../../shared/contact-link.js'
import { clientCommand } from '../client-command.js'
import { printable } from '../format.js'
import { checkMultiaddr, checkPeerId, stringValue, usage } from '../options.js'
import type { CommandSpec } from './command.js'

const TRUST_LABEL: Record<Contact['trust'], string> = {
  contact: 'contact',
  'request-sent': 'request sent',
  'request-received': 'request received',
  blocked: 'blocked'
}

const contacts: CommandSpec = clientCommand({
  name: 'contacts',
  summary: 'contacts, contact requests and blocked peers',
  usage: '[--data-dir DIR] [--json]',
  description: `List every peer this node has a relation with: contacts (both sides agreed), requests
sent and received, and blocked peers. Answer a request with \`wgt contacts accept PEER\` or
\`wgt contacts decline PEER\`.`,
  parse: ({ dataDir, json }) => ({ kind: 'contacts', dataDir, json }),
  call: async (api) => await api.listContacts(),
  text: formatContacts
})

const add: CommandSpec = clientCommand({
  name: 'contacts add',
  summary: 'send a contact request',
  usage: 'PEER|MULTIADDR|LINK [--name NAME] [--data-dir DIR] [--json]',
  description: `Ask a peer to become a contact. PEER is a PeerId; a MULTIADDR ending in /p2p/<PeerId>
or a wgt://contact/ link also says where to reach it. The peer sees a request and accepts or
declines; a request to a peer that is offline is delivered when it is next connected.`,
  args: [{ name: 'TARGET' }],
  options: [{ flags: '--name <NAME>', help: 'your nickname for the peer' }],
  parse: async ({ args, opts, dataDir, json }) => {
    const target = await checkTarget(args[0])
    return { kind: 'contacts add', target, name: nickname(opts.name, 'contacts add'), dataDir, json }
  },
  call: async (api, cmd) => await api.addContact(cmd.target, cmd.name),
  text: c => `${trustLine(c)}${c.undelivered ? ' (not delivered yet: it goes out when the peer is next connected)' : ''}`
})

const accept: CommandSpec = clientCommand({
  name: 'contacts accept',
  summary: 'accept a contact request',
  usage: 'PEER [--name NAME] [--data-dir DIR] [--json]',
  description: 'Accept the contact request PEER sent; both sides then show each other as contacts.',
  args: [{ name: 'PEER' }],
  options: [{ flags: '--name <NAME>', help: 'your nickname for the peer' }],
  parse: async ({ args, opts, dataDir, json }) => {
    await checkPeerId(args[0])
    return { kind: 'contacts accept', peerId: args[0], name: nickname(opts.name, 'contacts accept'), dataDir, json }
  },
  call: async (api, cmd) => await api.acceptContact(cmd.peerId, cmd.name),
  text: trustLine
})

/** decline, remove, block, unblock: one PEER, nothing to print but what happened */
function peerAction (name: 'decline' | 'remove' | 'block' | 'unblock', summary: string, description: string, done: string, act: (api: Parameters<Parameters<typeof clientCommand>[0]['call']>[0], peerId: string) => Promise<unknown>): CommandSpec {
  return clientCommand({
    name: `contacts ${name}`,
    summary,
    usage: 'PEER [--data-dir DIR] [--json]',
    description,
    args: [{ name: 'PEER' }],
    parse: async ({ args, dataDir, json }) => {
      await checkPeerId(args[0])
      return { kind: `contacts ${name}`, peerId: args[0], dataDir, json }
    },
    call: async (api, cmd) => { await act(api, cmd.peerId); return { peerId: cmd.peerId, done: name } },
    text: r => `${r.peerId} ${done}`
  })
}

const decline = peerAction('decline', 'decline a contact request', 'Decline the contact request PEER sent; PEER is told.', 'declined',
  async (api, p) => { await api.declineContact(p) })
const remove = peerAction('remove', 'remove a contact or withdraw a request', 'Remove PEER from your contacts, or withdraw a request to it; PEER is told when connected.', 'removed',
  async (api, p) => { await api.removeContact(p) })
const block = peerAction('block', 'block a peer', 'Close every connection to PEER and refuse it in both directions until unblocked.\nNothing it sends is served or kept.', 'blocked',
  async (api, p) => await api.blockPeer(p))
const unblock = peerAction('unblock', 'unblock a peer', 'Let PEER connect again; it becomes a stranger.', 'unblocked',
  async (api, p) => { await api.unblockPeer(p) })

const policy: CommandSpec = clientCommand({
  name: 'policy',
  summary: 'who may use each capability of this node',
  usage: '[CAPABILITY anyone|contacts|contacts-only|nobody] [--data-dir DIR] [--json]',
  description: `Show, or set, who may use each capability: ${CAPABILITIES.join(', ')}.
Under "contacts", a stranger's offer, message or call arrives as a request; storage and
compute are refused. Under "contacts-only", a stranger is refused outright and told why.
Defaults: storage anyone (within per-peer quotas), the rest contacts.`,
  args: [{ name: 'CAPABILITY', optional: true }, { name: 'VALUE', optional: true }],
  parse: ({ args, dataDir, json }) => {
    const [capability, value] = args
    if (capability == null || capability === '') return { kind: 'policy', set: null, dataDir, json }
    if (!(CAPABILITIES as readonly string[]).includes(capability)) throw usage(`unknown capability ${JSON.stringify(capability)}: one of ${CAPABILITIES.join(', ')}`, 'policy')
    if (!(POLICY_VALUES as readonly string[]).includes(value ?? '')) throw usage(`${capability} needs one of ${POLICY_VALUES.join(', ')}`, 'policy')
    return { kind: 'policy', set: { capability: capability as Capability, value: value as PolicyValue }, dataDir, json }
  },
  call: async (api, cmd) => cmd.set != null ? await api.setPolicy(cmd.set.capability, cmd.set.value) : await api.getPolicies(),
  text: formatPolicies
})

export const guardCommands: CommandSpec[] = [contacts, add, accept, decline, remove, block, unblock, policy]

async function checkTarget (raw: string | undefined): Promise<string> {
  const target = (raw ?? '').trim()
  if (isContactLink(target)) return contactTarget(parseContactLink(target))
  if (target.startsWith('/')) { await checkMultiaddr(target, 'the peer', true); return target }
  await checkPeerId(target)
  return target
}

function nickname (raw: unknown, command: string): string | undefined {
  const name = stringValue(raw)
  if (name == null) return undefined
  // eslint-disable-next-line no-control-regex
  if (name.trim() === '' || name.length > 64 || /[\u0000-\u001f\u007f-\u009f]/.test(name)) throw usage('--name must be 1 to 64 characters, without control characters', command)
  return name.trim()
}

function trustLine (c: Contact): string {
  return `${c.peerId}  ${TRUST_LABEL[c.trust]}${c.nickname != null ? `  ${printable(c.nickname)}` : ''}`
}

export function formatContacts (list: Contact[]): string {
  if (list.length === 0) return 'no contacts yet: add one with `wgt contacts add PEER --name NAME`'
  const order: Array<Contact['trust']> = ['request-received', 'contact', 'request-sent', 'blocked']
  return order.flatMap(t => list.filter(c => c.trust === t).map(c => `${trustLine(c)}${c.undelivered ? '  (not delivered yet)' : ''}`)).join('\n')
}

export function formatPolicies (p: Policies): string {
  return CAPABILITIES.map(c => `${c.padEnd(8)} ${p[c]}`).join('\n')
}
