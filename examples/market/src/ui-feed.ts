/**
 * `pnpm demo -- --ui`: the market's state for the dashboard of examples/web, served over
 * WebSocket. Each client gets the latest state and the recent events when it connects, then a
 * new `state` whenever it changed and an `event` for each line the market prints. The
 * messages are the ones examples/web/src/market-feed.ts reads.
 */
import { WebSocketServer } from 'ws'

/** How many recent event lines a new client gets. */
const RECENT_EVENTS = 100

/** The dashboard's view of the market: peers, the book, the trades. */
export interface UiState {
  readonly peers: readonly { id: string; role: string; balance: number; trust: number }[]
  readonly offers: readonly {
    id: string
    maker: string
    side: string
    amount: string
    price: string
  }[]
  readonly trades: readonly { id: string; seller: string; buyer: string; state: string }[]
}

/** A running feed. */
export interface UiFeed {
  /** The address the dashboard connects to. */
  readonly url: string
  /** Sends the state to every client, when it differs from the last one sent. */
  state(state: UiState): void
  /** Sends one event line to every client. */
  event(line: string): void
  close(): Promise<void>
}

/**
 * Serves the feed on 127.0.0.1.
 * @param port - the port (0: any free port)
 * @returns the feed, once it listens
 * @example
 * const feed = await startUiFeed(4050)
 * feed.event('alice took an offer')
 */
export async function startUiFeed(port: number): Promise<UiFeed> {
  const server = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 1024 })
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const address = server.address() as { port: number }
  let last = ''
  const recent: string[] = []
  const broadcast = (text: string): void => {
    for (const client of server.clients) if (client.readyState === client.OPEN) client.send(text)
  }
  server.on('connection', (socket) => {
    // the dashboard only listens: anything it sends is ignored
    socket.on('message', () => {})
    if (last !== '') socket.send(last)
    for (const line of recent) socket.send(line)
  })
  return {
    url: `ws://127.0.0.1:${address.port}`,
    state(state) {
      const text = JSON.stringify({ type: 'state', ...state })
      if (text === last) return
      last = text
      broadcast(text)
    },
    event(line) {
      const text = JSON.stringify({ type: 'event', line })
      recent.push(text)
      if (recent.length > RECENT_EVENTS) recent.shift()
      broadcast(text)
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate()
        server.close(() => resolve())
      }),
  }
}
