/**
 * The gossip router inside a node: it feeds a `@peerkit/gossip` router its inputs (one at a
 * time, never re-entrantly), keeps one timer from its `wake` outputs (the latest wins),
 * answers its `validate` outputs with the application's asynchronous validators (a timeout
 * or a throw counts as `ignore`), and hands subscribers each delivered message opened and
 * verified, once. Links, queues and dialing stay with the node: they come in as hooks.
 *
 * @example
 * const service = createGossipService({ signer, clock, random, hooks })
 * service.attach(peer, true)
 * service.subscribe('news', (message) => console.log(message.data))
 * await service.publish('news', { text: 'hi' })
 */
import type { Value } from '@peerkit/codec'
import type { VerifyCache } from '@peerkit/envelope'
import {
  createGossip,
  GOSSIP_DOMAIN,
  type Gossip,
  type GossipInit,
  type GossipInput,
  type GossipMessage,
  messageIdOf,
  type ScoreHook,
  sealMessage,
  type ValidationVerdict,
} from '@peerkit/gossip'
import type { PeerId, Signer } from '@peerkit/identity'
import type { Clock } from './clock'
import { InvalidArgumentError, NodeStoppedError, ValidatorError } from './errors'
import type { Priority } from './queue'

/** What the service asks of the node that runs it. */
export interface GossipHooks {
  /** Queue `bytes` for `peer` on the gossip protocol; false when it was not taken. */
  send(peer: PeerId, bytes: Uint8Array, priority: Priority): void
  /** The router wants a link to `peer` (answer later with `connectFailed` or `attach`). */
  connect(peer: PeerId): void
  /** The router is done with `peer` (it has already forgotten it). */
  disconnect(peer: PeerId): void
  misbehaved(peer: PeerId, reason: string): void
  /** A verified peer record the router learned from a membership frame. */
  peerData(peer: PeerId, data: Uint8Array): void
  validatorFailed(error: ValidatorError): void
}

/** An application validator: may be asynchronous; its answer is awaited up to its timeout. */
export type AsyncValidator = (
  message: GossipMessage,
) => ValidationVerdict | Promise<ValidationVerdict>

/** Options of one validator. */
export interface ValidatorOptions {
  /** Milliseconds before an unanswered message is ignored (default 5,000). */
  readonly timeoutMs?: number
}

/** Options of one publish. */
export interface PublishOptions {
  /** The message expires at this time (ms since the epoch). */
  readonly expiresAt?: number
}

/** The node's gossip, as the application uses it. */
export interface NodeGossip {
  /**
   * Calls `handler` with each message of `topic`, opened and verified, once (this node's own
   * publishes included: their `from` is the node's own id). The first handler of a topic
   * subscribes the router; removing the last unsubscribes it.
   * @returns the function that removes the handler
   */
  subscribe(topic: string, handler: (message: GossipMessage) => void): () => void
  /**
   * Installs the validator of `topic` (one per topic; a new one replaces the old). Messages
   * wait for its verdict before they are delivered or forwarded.
   * @returns the function that removes it
   */
  validate(topic: string, validator: AsyncValidator, options?: ValidatorOptions): () => void
  /**
   * Seals `data` with the node's signer and publishes it on `topic`.
   * @throws {NodeStoppedError} after `stop()`; gossip's `PublishRejectedError` and friends
   */
  publish(topic: string, data: Value, options?: PublishOptions): Promise<{ messageId: string }>
  /** The router, for introspection (views, trees, stats). */
  readonly router: Gossip
}

/** Everything the service runs on. */
export interface GossipServiceInit {
  readonly signer: Signer
  readonly clock: Clock
  readonly random: () => number
  readonly hooks: GossipHooks
  readonly init?: GossipInit
  readonly scoreHook?: ScoreHook
  readonly verifyCache?: VerifyCache
  readonly validatorTimeoutMs: number
}

/** The service, as the node drives it. */
export interface GossipService extends NodeGossip {
  /** A link to `peer` is open for gossip. */
  attach(peer: PeerId, outbound: boolean): void
  /** The link to `peer` went away. */
  detach(peer: PeerId): void
  connectFailed(peer: PeerId): void
  frame(from: PeerId, bytes: Uint8Array): void
  /** Sets the node's own peer record, carried on membership frames. */
  setPeerData(data: Uint8Array): void
  /** Resolves once every publish that was started has been handed to the router. */
  settled(): Promise<void>
  /** Stops timers and validators; later calls do nothing. */
  close(): void
}

interface TopicValidator {
  readonly run: AsyncValidator
  readonly timeoutMs: number
}

/**
 * Makes the gossip service of one node.
 * @param init - signer, clock, randomness, hooks and the router's tuning
 * @returns the service
 */
export function createGossipService(init: GossipServiceInit): GossipService {
  const { clock, hooks, signer } = init
  const self = signer.peerId
  const domain = init.init?.domain ?? GOSSIP_DOMAIN
  const handlers = new Map<string, Set<(message: GossipMessage) => void>>()
  const validators = new Map<string, TopicValidator>()
  /** Messages opened by the router's validate hook, waiting for their `deliver` output. */
  const opened = new Map<string, GossipMessage>()
  /** Accepted synchronously during the current input: dropped after it unless delivered. */
  const acceptedNow: string[] = []
  /** This node's own publishes, waiting for their `deliver` output. */
  const own = new Map<string, { data: Value; timestamp: number }>()
  const publishing = new Set<Promise<unknown>>()
  const inbox: GossipInput[] = []
  let feeding = false
  let publishingNow = false
  let closed = false
  let timer: unknown
  let timerAt = Number.POSITIVE_INFINITY

  const components: Parameters<typeof createGossip>[1] = {
    self,
    random: init.random,
    validate: (message) => {
      const validator = validators.get(message.topic)
      opened.set(message.messageId, message)
      if (validator === undefined) {
        acceptedNow.push(message.messageId)
        return 'accept'
      }
      queueMicrotask(() => runValidator(message, validator))
      return 'pending'
    },
  }
  if (init.scoreHook !== undefined) components.scoreHook = init.scoreHook
  if (init.verifyCache !== undefined) components.verifyCache = init.verifyCache
  const router = createGossip(init.init ?? {}, components)

  function runValidator(message: GossipMessage, validator: TopicValidator): void {
    if (closed) return
    let done = false
    const finish = (verdict: ValidationVerdict, error?: ValidatorError): void => {
      if (done) return
      done = true
      clock.clearTimeout(deadline)
      if (error !== undefined) hooks.validatorFailed(error)
      if (closed) return
      feed({ type: 'validation-result', messageId: message.messageId, verdict, now: clock.now() })
      opened.delete(message.messageId)
    }
    const deadline = clock.setTimeout(() => {
      finish('ignore', new ValidatorError(message.topic, message.messageId, 'validator timed out'))
    }, validator.timeoutMs)
    const fail = (cause: unknown): void =>
      finish(
        'ignore',
        new ValidatorError(message.topic, message.messageId, 'validator threw', { cause }),
      )
    try {
      Promise.resolve(validator.run(message)).then((verdict) => {
        if (verdict === 'accept' || verdict === 'reject' || verdict === 'ignore') finish(verdict)
        else
          finish(
            'ignore',
            new ValidatorError(message.topic, message.messageId, 'validator gave no verdict'),
          )
      }, fail)
    } catch (error) {
      fail(error)
    }
  }

  function deliver(topic: string, messageId: string, envelope: Uint8Array, from: PeerId): void {
    let message: GossipMessage | undefined
    const mine = own.get(messageId)
    if (mine !== undefined) {
      own.delete(messageId)
      message = {
        topic,
        messageId,
        signer: self,
        data: mine.data,
        timestamp: mine.timestamp,
        envelope,
        from,
      }
    } else {
      message = opened.get(messageId)
      opened.delete(messageId)
    }
    const set = handlers.get(topic)
    if (message === undefined || set === undefined) return
    for (const handler of set) {
      try {
        handler(message)
      } catch {
        // an application handler's fault must not break the router's loop
      }
    }
  }

  function wake(at: number): void {
    if (closed || at === timerAt) return
    if (timer !== undefined) clock.clearTimeout(timer)
    timerAt = at
    timer = clock.setTimeout(
      () => {
        timer = undefined
        timerAt = Number.POSITIVE_INFINITY
        feed({ type: 'tick', now: clock.now() })
      },
      Math.max(0, at - clock.now()),
    )
  }

  function run(input: GossipInput): void {
    publishingNow = input.type === 'publish'
    const outputs = router.handle(input)
    for (const output of outputs) {
      switch (output.type) {
        case 'send': {
          let priority: Priority
          if (output.payloads > 0) priority = publishingNow ? 'publish' : 'forward'
          else priority = isAnnouncement(output.bytes) ? 'lazy' : 'control'
          hooks.send(output.to, output.bytes, priority)
          break
        }
        case 'deliver':
          deliver(output.topic, output.messageId, output.envelope, output.from)
          break
        case 'wake':
          wake(output.at)
          break
        case 'connect':
          hooks.connect(output.peer)
          break
        case 'disconnect':
          hooks.disconnect(output.peer)
          break
        case 'misbehaved':
          hooks.misbehaved(output.peer, output.reason)
          break
        case 'peer-data':
          hooks.peerData(output.peer, output.data)
          break
        case 'validate':
          // answered by the validate hook's validator
          break
      }
    }
    publishingNow = false
    for (const id of acceptedNow) opened.delete(id)
    acceptedNow.length = 0
  }

  /**
   * Feeds inputs one at a time: an input that arrives while one runs waits its turn. An
   * error of the input fed directly reaches the caller (a rejected publish).
   */
  function feed(input: GossipInput): void {
    if (closed) return
    if (feeding) {
      inbox.push(input)
      return
    }
    feeding = true
    try {
      run(input)
    } finally {
      try {
        for (let next = inbox.shift(); next !== undefined; next = inbox.shift()) {
          if (!closed) run(next)
        }
      } finally {
        feeding = false
      }
    }
  }

  const assertTopicArgument = (topic: unknown): void => {
    if (typeof topic !== 'string') throw new InvalidArgumentError('topic', 'expected a string')
  }

  return {
    router,
    attach: (peer, outbound) => feed({ type: 'peer-connected', peer, outbound, now: clock.now() }),
    detach: (peer) => feed({ type: 'peer-disconnected', peer, now: clock.now() }),
    connectFailed: (peer) => feed({ type: 'connect-failed', peer, now: clock.now() }),
    frame: (from, bytes) => feed({ type: 'frame', from, bytes, now: clock.now() }),
    setPeerData: (data) => feed({ type: 'local-peer-data', data, now: clock.now() }),
    subscribe(topic, handler) {
      assertTopicArgument(topic)
      if (typeof handler !== 'function') {
        throw new InvalidArgumentError('handler', 'expected a function')
      }
      let set = handlers.get(topic)
      if (set === undefined) {
        // subscribe first: an invalid topic throws before anything is kept
        feed({ type: 'subscribe', topic, now: clock.now() })
        set = new Set()
        handlers.set(topic, set)
      }
      set.add(handler)
      return () => {
        const current = handlers.get(topic)
        if (current === undefined || !current.delete(handler) || current.size > 0) return
        handlers.delete(topic)
        feed({ type: 'unsubscribe', topic, now: clock.now() })
      }
    },
    validate(topic, validator, options = {}) {
      assertTopicArgument(topic)
      if (typeof validator !== 'function') {
        throw new InvalidArgumentError('validator', 'expected a function')
      }
      const timeoutMs = options.timeoutMs ?? init.validatorTimeoutMs
      if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
        throw new InvalidArgumentError('options.timeoutMs', 'expected an integer >= 1')
      }
      const entry: TopicValidator = { run: validator, timeoutMs }
      validators.set(topic, entry)
      return () => {
        if (validators.get(topic) === entry) validators.delete(topic)
      }
    },
    publish(topic, data, options = {}) {
      if (closed) return Promise.reject(new NodeStoppedError())
      const task = (async () => {
        const timestamp = clock.now()
        const sealInit: Parameters<typeof sealMessage>[1] = { topic, data, timestamp }
        if (options.expiresAt !== undefined) sealInit.expiresAt = options.expiresAt
        const envelope = await sealMessage(signer, sealInit, domain)
        if (closed) throw new NodeStoppedError()
        const messageId = messageIdOf(envelope).toString()
        own.set(messageId, { data, timestamp })
        // published from inside a handler, the input waits its turn and its entry with it
        // (bounded: an unsubscribed topic never delivers it)
        const queued = feeding
        if (own.size > 1024) own.delete(own.keys().next().value as string)
        try {
          feed({ type: 'publish', topic, envelope, now: clock.now() })
        } finally {
          if (!queued) own.delete(messageId)
        }
        return { messageId }
      })()
      publishing.add(task)
      const forget = (): void => {
        publishing.delete(task)
      }
      task.then(forget, forget)
      return task
    },
    async settled() {
      await Promise.allSettled([...publishing])
    },
    close() {
      closed = true
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
      inbox.length = 0
      opened.clear()
      own.clear()
    },
  }
}

/** Whether a gossip frame is an announcement (IHAVE): `[version 1, kind 9, ...]` in canonical CBOR. */
function isAnnouncement(bytes: Uint8Array): boolean {
  return bytes[1] === 1 && bytes[2] === 9
}
