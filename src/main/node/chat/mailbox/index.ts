/** The chat mailbox: sealing, the holder's store, the /wgt/mailbox protocol, and the coordinator the chat core uses. */
export { MAILBOX_TAG_BYTES, MAX_SEALED, MAX_SEALED_PLAINTEXT, mailboxKeys, mailboxPublicKey, open, RELEASE_BYTES, releaseToken, seal, tagFor, type MailboxKeys, type Sealed } from './seal.js'
export { MAILBOX_ID_BYTES, MailboxStore, itemId, type HeldItem, type MailboxStoreInit, type PutResult } from './mailbox-store.js'
export { MAILBOX_PROTOCOL, MailboxReply, MailboxService, mailboxService, type FetchResult, type MailboxRef, type MailboxServiceInit, type MailboxStatus } from './mailbox-service.js'
export { MAX_COLLECT_SENDERS, Mailbox, type Collected, type MailboxInit, type MailboxNetwork } from './mailbox.js'
