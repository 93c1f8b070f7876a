/**
 * The market dashboard: connects to the feed of `pnpm demo -- --ui` (`?feed=ws://…`, default
 * ws://127.0.0.1:4050) and shows the offer book, the trades moving through their escrow states
 * and the trust ranking. Reconnects while the market is not running.
 */
import { type FeedMessage, parseFeedMessage } from './market-feed'

const DEFAULT_FEED = 'ws://127.0.0.1:4050'
const MAX_EVENTS = 200

function table(
  into: HTMLTableElement,
  head: readonly string[],
  rows: readonly (readonly string[])[],
): void {
  const line = (cells: readonly string[], tag: 'th' | 'td') => {
    const tr = document.createElement('tr')
    for (const cell of cells) {
      const td = document.createElement(tag)
      td.textContent = cell
      tr.append(td)
    }
    return tr
  }
  into.replaceChildren(line(head, 'th'), ...rows.map((row) => line(row, 'td')))
}

function render(root: HTMLElement, message: Extract<FeedMessage, { type: 'state' }>): void {
  const get = (id: string) => root.querySelector(`#${id}`) as HTMLTableElement
  table(
    get('offers'),
    ['maker', 'side', 'amount', 'price'],
    message.offers.map((o) => [o.maker, o.side, o.amount, o.price]),
  )
  table(
    get('trades'),
    ['trade', 'seller', 'buyer', 'state'],
    message.trades.map((t) => [t.id, t.seller, t.buyer, t.state]),
  )
  const ranked = [...message.peers].sort((a, b) => b.trust - a.trust)
  table(
    get('trust'),
    ['peer', 'role', 'trust', 'balance'],
    ranked.map((p) => [p.id, p.role, p.trust.toFixed(3), String(p.balance)]),
  )
}

/**
 * Connects the dashboard to the market's feed.
 * @param root - the section holding the view's elements
 * @example
 * startMarketView(document.getElementById('market')!)
 */
export function startMarketView(root: HTMLElement): void {
  const url = new URLSearchParams(location.search).get('feed') ?? DEFAULT_FEED
  const status = root.querySelector('#market-status') as HTMLElement
  const events = root.querySelector('#events') as HTMLOListElement
  const connect = () => {
    const socket = new WebSocket(url)
    socket.addEventListener('open', () => {
      status.textContent = `connected to ${url}`
    })
    socket.addEventListener('message', (event) => {
      const message = parseFeedMessage(String(event.data))
      if (message === undefined) return
      if (message.type === 'state') render(root, message)
      else {
        const item = document.createElement('li')
        item.textContent = message.line
        events.prepend(item)
        while (events.children.length > MAX_EVENTS) events.lastElementChild?.remove()
      }
    })
    socket.addEventListener('close', () => {
      status.textContent = `waiting for the market at ${url} (pnpm demo -- --ui)`
      setTimeout(connect, 2_000)
    })
  }
  connect()
}
