/**
 * Adversarial nodes. An adversary wraps an honest router of the run's strategy, so it
 * speaks the protocol well enough to join the overlay, and then misbehaves on top:
 *
 * - a **dropper** never forwards a full message (it keeps the control traffic, so it
 *   announces what it has and then never sends it: broken promises);
 * - a **spammer** drops like a dropper and sends invalid messages: real message frames it
 *   captured, with one byte of the signed body altered (a new envelope id each time, so
 *   the message is not a duplicate and only signature work can reject it), and frames of
 *   random bytes;
 * - a **replayer** forwards like an honest node (so that the replay scenario measures
 *   replays, not dropping) and re-sends, verbatim, frames of real messages it captured, at
 *   set times (soon after, and long after the seen caches forgot the ids).
 *
 * Any of them can also try to **eclipse** honest nodes: every round it dials a few honest
 * peers it is not connected to, so a Sybil group pushes into honest nodes' neighbourhoods.
 * A replayer that does not eclipse dials a batch of honest peers 2 s before each replay.
 * All of this works on bytes alone, for any strategy whose frames carry the envelope
 * bytes verbatim.
 *
 * @example
 * const router = createAdversary({ role: 'spammer', inner, targets: honestIds, random })
 */
import {
  ECLIPSE_DIALS_PER_ROUND,
  ECLIPSE_INTERVAL_MS,
  SPAM_FRAMES_PER_ROUND,
  SPAM_INTERVAL_MS,
} from './constants'
import type { GossipInput, GossipOutput, GossipRouter, PeerId, PeerKey } from './contract'
import type { NodeRole } from './metrics'

export interface AdversaryOptions {
  role: Exclude<NodeRole, 'honest'>
  /** An honest router of the run's strategy, for the protocol's membership and control. */
  inner: GossipRouter
  /** The node's seeded stream. */
  random: () => number
  /** Honest peers to dial: to push into (eclipse), and for a replayer to reach. */
  targets?: readonly PeerId[]
  /** Dial targets every round to push into honest views (default true). */
  eclipse?: boolean
  /** Targets a replayer dials 2 s before each replay, to reach more nodes (default 20). */
  replayDials?: number
  /** Gap between eclipse rounds (default 1 s). */
  eclipseIntervalMs?: number
  /** Honest peers dialled per eclipse round (default 4). */
  dialsPerRound?: number
  /** Gap between spam rounds (default 250 ms). */
  spamIntervalMs?: number
  /** Frames sent to each neighbour per spam round (default 2). */
  spamFramesPerRound?: number
  /** Times (virtual ms) at which a replayer re-sends every frame it captured. */
  replayAt?: readonly number[]
  /** Most message frames kept for forging and replaying (default 64). */
  maxCaptured?: number
}

interface Captured {
  frame: Uint8Array
  /** Where the envelope sits in the frame, and its length. */
  offset: number
  length: number
  /** A region of the signed body that can be altered without breaking the encoding. */
  mutableAt: number
  mutableLength: number
}

/** What an adversary did, for reports and tests. */
export interface AdversaryStats {
  spamSent: number
  garbageSent: number
  replaysSent: number
  payloadsDropped: number
  dials: number
}

export interface Adversary extends GossipRouter {
  readonly stats: AdversaryStats
}

/**
 * Wraps an honest router into an adversary.
 * @param options - role, inner router, randomness, targets and timings
 * @returns the adversarial router
 */
export function createAdversary(options: AdversaryOptions): Adversary {
  const { role, inner, random } = options
  const targets = options.targets ?? []
  const eclipse = (options.eclipse ?? true) && targets.length > 0
  const replayDials = options.replayDials ?? 20
  const eclipseInterval = options.eclipseIntervalMs ?? ECLIPSE_INTERVAL_MS
  const dialsPerRound = options.dialsPerRound ?? ECLIPSE_DIALS_PER_ROUND
  const spamInterval = options.spamIntervalMs ?? SPAM_INTERVAL_MS
  const spamPerRound = options.spamFramesPerRound ?? SPAM_FRAMES_PER_ROUND
  const maxCaptured = options.maxCaptured ?? 64
  const replayAt = [...(options.replayAt ?? [])].sort((a, b) => a - b)
  const stats: AdversaryStats = {
    spamSent: 0,
    garbageSent: 0,
    replaysSent: 0,
    payloadsDropped: 0,
    dials: 0,
  }
  const connected = new Map<PeerKey, PeerId>()
  const captured: Captured[] = []
  /** The inner router's latest wake (each replaces the one before); +∞ for none. */
  let innerWake = Number.POSITIVE_INFINITY
  /** When this adversary's own timers are next due; +∞ for never. */
  let ownWake = Number.POSITIVE_INFINITY
  /** The wake last passed on to the driver. */
  let wakeSent = Number.NaN
  let nextEclipse = -1
  let nextSpam = -1
  let nextReplay = 0
  let nextReplayDial = 0
  let forged = 0

  const capture = (frame: Uint8Array, envelope: Uint8Array): void => {
    const offset = indexOf(frame, envelope)
    if (offset < 0) return
    const [mutableAt, mutableLength] = mutableRegion(envelope)
    // a copy: the frame may be a view into a larger buffer (a batch of a split run)
    const entry: Captured = {
      frame: frame.slice(),
      offset,
      length: envelope.length,
      mutableAt,
      mutableLength,
    }
    if (captured.length >= maxCaptured) captured.shift()
    captured.push(entry)
  }

  const filter = (outputs: GossipOutput[], out: GossipOutput[]): void => {
    for (const output of outputs) {
      if (output.type === 'wake') {
        innerWake = output.at
        continue
      }
      if (output.type === 'send' && output.payloads > 0 && role !== 'replayer') {
        stats.payloadsDropped += output.payloads
        continue
      }
      out.push(output)
    }
  }

  const forge = (): Uint8Array | undefined => {
    if (captured.length === 0) return undefined
    const template = captured[forged % captured.length]!
    const frame = template.frame.slice()
    const n = Math.floor(forged / captured.length)
    forged++
    const at = template.offset + template.mutableAt + (n % template.mutableLength)
    frame[at] = frame[at]! ^ (1 + (Math.floor(n / template.mutableLength) % 255))
    return frame
  }

  const garbage = (): Uint8Array => {
    const bytes = new Uint8Array(16 + Math.floor(random() * 184))
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256)
    return bytes
  }

  const dial = (count: number, out: GossipOutput[]): void => {
    for (let i = 0; i < count && targets.length > 0; i++) {
      const target = targets[Math.floor(random() * targets.length)]!
      if (connected.has(target.toString())) continue
      stats.dials++
      out.push({ type: 'connect', peer: target })
    }
  }

  const ownTimers = (now: number, out: GossipOutput[]): void => {
    if (eclipse && now >= nextEclipse) {
      dial(dialsPerRound, out)
      nextEclipse = now + eclipseInterval
    }
    while (
      role === 'replayer' &&
      nextReplayDial < replayAt.length &&
      replayAt[nextReplayDial]! - 2_000 <= now
    ) {
      nextReplayDial++
      dial(replayDials, out)
    }
    if (role === 'spammer' && now >= nextSpam) {
      for (const peer of connected.values()) {
        for (let i = 0; i < spamPerRound; i++) {
          const frame = i % 2 === 0 ? forge() : undefined
          if (frame !== undefined) {
            stats.spamSent++
            out.push({ type: 'send', to: peer, bytes: frame, payloads: 1 })
          } else {
            stats.garbageSent++
            out.push({ type: 'send', to: peer, bytes: garbage(), payloads: 0 })
          }
        }
      }
      nextSpam = now + spamInterval
    }
    while (role === 'replayer' && nextReplay < replayAt.length && replayAt[nextReplay]! <= now) {
      nextReplay++
      for (const peer of connected.values()) {
        for (const entry of captured) {
          stats.replaysSent++
          out.push({ type: 'send', to: peer, bytes: entry.frame, payloads: 1 })
        }
      }
    }
    ownWake = Math.min(
      eclipse ? nextEclipse : Number.POSITIVE_INFINITY,
      role === 'replayer' && nextReplayDial < replayAt.length
        ? replayAt[nextReplayDial]! - 2_000
        : Number.POSITIVE_INFINITY,
      role === 'spammer' ? nextSpam : Number.POSITIVE_INFINITY,
      role === 'replayer' && nextReplay < replayAt.length
        ? replayAt[nextReplay]!
        : Number.POSITIVE_INFINITY,
    )
  }

  /** One wake for both clocks, the inner router's and this adversary's own. */
  const wakeUp = (out: GossipOutput[]): GossipOutput[] => {
    const next = Math.min(innerWake, ownWake)
    if (Number.isFinite(next) && next !== wakeSent) {
      wakeSent = next
      out.push({ type: 'wake', at: next })
    }
    return out
  }

  return {
    stats,
    handle(input: GossipInput): GossipOutput[] {
      const out: GossipOutput[] = []
      const now = input.now
      if (nextEclipse < 0) {
        nextEclipse = now + random() * eclipseInterval
        nextSpam = now + random() * spamInterval
        ownTimers(now, out)
      }
      switch (input.type) {
        case 'peer-connected':
          connected.set(input.peer.toString(), input.peer)
          break
        case 'peer-disconnected':
          connected.delete(input.peer.toString())
          break
        case 'tick': {
          if (innerWake <= now) {
            innerWake = Number.POSITIVE_INFINITY
            filter(inner.handle(input), out)
          }
          ownTimers(now, out)
          return wakeUp(out)
        }
        default:
          break
      }
      const outputs = inner.handle(input)
      if (input.type === 'frame') {
        for (const output of outputs) {
          if (output.type === 'deliver') capture(input.bytes, output.envelope)
        }
      }
      filter(outputs, out)
      return wakeUp(out)
    },
  }
}

/** First index of `needle` in `haystack`, or -1. */
function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 0 || needle.length > haystack.length) return -1
  const first = needle[0]!
  const last = haystack.length - needle.length
  outer: for (let i = 0; i <= last; i++) {
    if (haystack[i] !== first) continue
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}

/** `"bytes"` as a CBOR text key followed by the head of a 64-byte byte string. */
const DATA_MARKER = [0x65, 0x62, 0x79, 0x74, 0x65, 0x73, 0x58, 0x40]
/** `"t"` as a CBOR text key followed by the head of an 8-byte unsigned integer. */
const TIMESTAMP_MARKER = [0x61, 0x74, 0x1b]

/**
 * A region inside the signed body that can change without breaking the encoding: the
 * 64 data bytes of a simulated message, else the low byte of the timestamp (which moves
 * it by less than the clock-skew limit), else the last byte (which may break the form:
 * still an invalid message).
 */
function mutableRegion(envelope: Uint8Array): [at: number, length: number] {
  const data = indexOf(envelope, Uint8Array.from(DATA_MARKER))
  if (data >= 0 && data + DATA_MARKER.length + 64 <= envelope.length) {
    return [data + DATA_MARKER.length, 64]
  }
  const timestamp = indexOf(envelope, Uint8Array.from(TIMESTAMP_MARKER))
  if (timestamp >= 0 && timestamp + 11 <= envelope.length) return [timestamp + 10, 1]
  return [envelope.length - 1, 1]
}
