import { AddContactBox, MyContactLink } from './AddContact.js'
import { Bans, BlockedPeers, ContactsTable, Requests, SentRequests } from './ContactLists.js'

/**
 * The people this node knows (DESIGN.md §6): what waits for an answer first,
 * then adding someone (and the link to give out), the contacts, the requests
 * this node sent, the peers it blocked, and the peers banned for misbehaving.
 */
export function ContactsView (): React.JSX.Element {
  return (
    <>
      <Requests />
      <section className='card' aria-labelledby='add-title'>
        <h2 id='add-title'>Add a contact</h2>
        <AddContactBox />
        <MyContactLink />
      </section>
      <ContactsTable />
      <SentRequests />
      <BlockedPeers />
      <Bans />
    </>
  )
}
