/**
 * Errors as a person would put them: what failed (the action), why, and what
 * to do, from the error's code; the node's own message (with its protocol ids
 * and PeerIds) is the detail, one click away. Pure, so it is unit-tested.
 */
import { WgtError, type ErrorCode } from '../../../shared/errors.js'

export interface HumanError {
  /** "Could not fetch the file" */
  title: string
  /** why, and what to do about it */
  advice: string
  /** the code and the node's message, for the details */
  detail: string
  code: ErrorCode
}

export type ErrorContext =
  | 'connect' | 'fetch' | 'inspect' | 'share' | 'send' | 'repair' | 'check' | 'remove' | 'save' | 'load' | 'accept' | 'decline-offer' | 'download' | 'open'
  | 'add-contact' | 'accept-contact' | 'decline-contact' | 'remove-contact' | 'withdraw' | 'rename' | 'block' | 'unblock' | 'unban' | 'policy' | 'scrub'
  | 'chat-send' | 'chat-history' | 'chat-read' | 'chat-search' | 'chat-accept' | 'chat-decline' | 'chat-delete'
  | 'call-start' | 'call-accept' | 'call-decline' | 'call-hangup' | 'call-history'
  | 'compute' | 'compute-submit' | 'compute-result' | 'compute-cancel'

const ADVICE: Record<ErrorCode, string> = {
  INVALID_INPUT: 'What was entered is not valid. Check it and try again.',
  NOT_FOUND: 'It is not there (any more). Refresh, or check what you entered.',
  PEER_UNREACHABLE: 'The peer could not be reached: it may be offline, or a firewall or NAT is in the way. Check the address, or try again when the peer is online.',
  POLICY_DENIED: 'The other side does not allow this.',
  INTEGRITY: 'The data did not check out. If you pasted a link, make sure it is complete: the part after # is the key.',
  QUOTA_EXCEEDED: 'There is not enough storage room. Free some space, or raise the storage limit in Settings.',
  TIMEOUT: 'It took too long; the network may be slow or a peer stopped answering. Try again.',
  UNAUTHORIZED: 'The node refused access. Open the address the node printed when it started.',
  NOT_RUNNING: 'The connection to the node is down. It reconnects by itself; try again in a moment.',
  PROTOCOL: 'A peer answered in a way WGT does not understand; it may run another version. Try again, or with other peers.',
  UNAVAILABLE: 'It cannot be done right now. Try again in a while.',
  CANCELLED: 'It was cancelled, and what it had started was removed.',
  INTERNAL: 'Something went wrong inside WGT. Try again; the details help a bug report.'
}

/** Where one action has a better explanation for a code than the general one. */
const SPECIFIC: Partial<Record<ErrorContext, Partial<Record<ErrorCode, string>>>> = {
  fetch: {
    UNAVAILABLE: 'Not enough of the peers that hold this file are reachable right now. Try again when more of them are online.',
    NOT_FOUND: 'No reachable peer holds this file. The peers that store it may be offline; try again later.',
    INVALID_INPUT: 'That does not look like a WGT link, or the file it would be saved as already exists. A link starts with wgt:// and has a key after #.'
  },
  inspect: {
    NOT_FOUND: 'No reachable peer serves this link now: the peers that hold the file may be offline. Try again later, or ask whoever sent the link whether their node is running.',
    INVALID_INPUT: 'That does not look like a WGT file link. A link starts with wgt:// and has a key after #; copy it again in full.',
    INTEGRITY: 'The link\'s key does not open this file: the part after # is wrong or cut short. Copy the link again in full.',
    TIMEOUT: 'The peers that hold this file did not answer in time. Check your connection, then try again.',
    UNAVAILABLE: 'This node is busy reading other links (two at a time), or the peers asked do not hold enough of the file\'s description. Try again in a moment.'
  },
  share: {
    NOT_FOUND: 'The file could not be read. It may have been moved or deleted.',
    QUOTA_EXCEEDED: 'This node or the peers have no room for the file\'s shards. Raise the storage limit in Settings, or connect to more peers.'
  },
  connect: {
    INVALID_INPUT: 'That is not an address a peer can be reached at. It looks like /ip4/203.0.113.7/tcp/4101/p2p/12D3Koo…'
  },
  repair: {
    UNAVAILABLE: 'Fewer shards than needed are reachable, so nothing can rebuild the missing ones until more holders come back.'
  },
  'add-contact': {
    INVALID_INPUT: 'Paste a PeerId (12D3KooW…), an address ending in /p2p/<PeerId>, or a wgt://contact/ link. A blocked peer must be unblocked first.'
  },
  'accept-contact': {
    NOT_FOUND: 'The request is no longer waiting: the peer withdrew it, or it was answered in another window.'
  },
  'decline-contact': {
    NOT_FOUND: 'The request is no longer waiting: the peer withdrew it, or it was answered in another window.'
  },
  'decline-offer': {
    NOT_FOUND: 'The offer is no longer in the inbox: it was answered in another window.'
  },
  'remove-contact': {
    NOT_FOUND: 'The peer is no longer in your contacts.'
  },
  withdraw: {
    NOT_FOUND: 'The request is no longer there: the peer answered it, or it was withdrawn in another window.'
  },
  unblock: {
    NOT_FOUND: 'The peer is no longer blocked.'
  },
  unban: {
    NOT_FOUND: 'The ban has ended already.'
  },
  'chat-send': {
    INVALID_INPUT: 'The message was refused as it is: it may be too long, or empty. Shorten it and send again.',
    POLICY_DENIED: 'The peer does not take messages from you: its chat policy allows only its contacts, or it blocked you.'
  },
  'call-start': {
    UNAVAILABLE: 'You are already in a call in this window: hang up first.',
    POLICY_DENIED: 'The peer takes calls only from its contacts, or it blocked you.',
    PEER_UNREACHABLE: 'The peer is not connected. Calls need a connection to it: try again when it is online.'
  },
  'call-accept': {
    NOT_FOUND: 'The call is no longer ringing: the caller hung up, or it was answered in another window.',
    UNAVAILABLE: 'You are already in a call in this window: hang up first.'
  },
  'call-decline': {
    NOT_FOUND: 'The call is no longer ringing: the caller hung up, or it was answered in another window.'
  },
  'chat-accept': {
    NOT_FOUND: 'The request is no longer waiting: it was answered in another window.'
  },
  'chat-decline': {
    NOT_FOUND: 'The request is no longer waiting: it was answered in another window.'
  },
  compute: {
    UNAVAILABLE: 'No worker could take its tasks: peers that run compute may be offline, switched off, busy, or allow less memory per task than it needs. Try again when more peers are online, or with a smaller job.',
    POLICY_DENIED: 'The peers asked do not run compute for you: their compute policy takes jobs only from their contacts. Ask them to add you as a contact.',
    TIMEOUT: 'Its tasks ran past their time limit on every worker tried. Try a smaller job, or shorter lines of input (each line-delimited piece is a task).',
    INVALID_INPUT: 'The module or its input was refused: a module must export what the WGT compute ABI asks (README) and import nothing else; matrices must be in the WGT matrix format.',
    INTEGRITY: 'Workers\' results disagreed more often than redundancy could settle; a peer may be lying, and was penalised. Try again, with a higher redundancy.',
    QUOTA_EXCEEDED: 'The result does not fit in this node\'s storage. Free some space, or raise the storage limit in Settings.',
    CANCELLED: 'The job was cancelled; its running tasks were stopped.'
  },
  'compute-submit': {
    INVALID_INPUT: 'The job was refused as it is: check the size (1 to 4096), the redundancy, and that the module is a WebAssembly module exporting the WGT compute ABI (README).',
    NOT_FOUND: 'A file of the job could not be read. It may have been moved or deleted.',
    QUOTA_EXCEEDED: 'The file is larger than the node can take now (storage limit or free disk). Free space, or raise the limit in Settings.'
  },
  'compute-result': {
    UNAVAILABLE: 'The job has no result: it has not finished, or it failed.',
    NOT_FOUND: 'The job or its result is no longer on this node: it keeps the last 100 jobs.',
    QUOTA_EXCEEDED: 'There is no room on the disk for the result. Free some space and try again.'
  },
  'compute-cancel': {
    NOT_FOUND: 'The job is no longer on this node.'
  }
}

const TITLE: Record<ErrorContext, string> = {
  connect: 'Could not connect to the peer',
  fetch: 'Could not fetch the file',
  inspect: 'Could not read the link',
  share: 'Could not share the file',
  send: 'Could not send the link',
  repair: 'Could not repair the file',
  check: 'Could not check the file\'s health',
  remove: 'Could not remove the file',
  save: 'Could not save the setting',
  load: 'Could not load this part of the node\'s state',
  accept: 'Could not fetch the offered file',
  'decline-offer': 'Could not decline the offer',
  download: 'Could not download the file',
  open: 'Could not open the file',
  'add-contact': 'Could not add the contact',
  'accept-contact': 'Could not accept the contact request',
  'decline-contact': 'Could not decline the contact request',
  'remove-contact': 'Could not remove the contact',
  withdraw: 'Could not withdraw the request',
  rename: 'Could not rename the contact',
  block: 'Could not block the peer',
  unblock: 'Could not unblock the peer',
  unban: 'Could not lift the ban',
  policy: 'Could not change the policy',
  scrub: 'Could not verify the stored shards',
  'chat-send': 'Could not send the message',
  'chat-history': 'Could not load the messages',
  'chat-read': 'Could not mark the conversation read',
  'chat-search': 'Could not search the messages',
  'chat-accept': 'Could not accept the chat request',
  'chat-decline': 'Could not decline the chat request',
  'chat-delete': 'Could not delete the conversation',
  'call-start': 'Could not start the call',
  'call-accept': 'Could not answer the call',
  'call-decline': 'Could not decline the call',
  'call-hangup': 'Could not hang up',
  'call-history': 'Could not load the calls',
  compute: 'The compute job did not complete',
  'compute-submit': 'Could not submit the job',
  'compute-result': 'Could not save the result',
  'compute-cancel': 'Could not cancel the job'
}

export function describeError (context: ErrorContext, err: unknown): HumanError {
  const e = WgtError.from(err)
  return {
    title: TITLE[context],
    advice: SPECIFIC[context]?.[e.code] ?? ADVICE[e.code],
    detail: `${e.code}: ${e.message}`,
    code: e.code
  }
}

/** For an error that crossed the API as { code, message } (an operation's). */
export function describeWire (context: ErrorContext, error: { code: string, message: string }): HumanError {
  return describeError(context, WgtError.fromWire(error))
}
