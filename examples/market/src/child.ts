/**
 * A market peer as its own process: `main.ts` forks itself with `--child` and the peer's
 * configuration as JSON; events, status and the final report go back over the IPC
 * channel, and `stop` ends the process cleanly. A `SIGKILL` from the orchestrator is the
 * crash the demo recovers from.
 */
import { type PeerConfig, runPeer } from './agent'

/** Runs the peer described by `json` until the orchestrator says stop. */
export async function runChild(json: string): Promise<void> {
  const config = JSON.parse(json) as PeerConfig
  const send = (message: unknown) => {
    if (process.connected) process.send?.(message)
  }
  const peer = await runPeer(config, (event) => send(event))
  send({
    type: 'ready',
    name: config.name,
    address: peer.address,
    peerId: peer.node.peerId.toString(),
  })
  const status = setInterval(() => send({ type: 'status', report: peer.report() }), 300)
  process.on('message', (message: { type: string; addresses?: string[] }) => {
    if (message.type === 'connect') void peer.connect(message.addresses ?? [])
    if (message.type === 'report') send({ type: 'report', report: peer.report() })
    if (message.type === 'stop') {
      clearInterval(status)
      void peer.stop().finally(() => process.exit(0))
    }
  })
  process.on('disconnect', () => process.exit(0))
}
