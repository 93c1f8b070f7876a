/**
 * Scorer parameters: their shape, their defaults, and the one function that fills in and
 * checks a caller's partial params. Every check names the parameter it refused.
 *
 * @example
 * const params = resolveScorerParams({ thresholds: { gossip: -5 } })
 * params.thresholds.publish // -40, the default
 */
import { paramDecay, paramGroup, paramInteger, paramNumber } from './assert'
import { DEFAULT_SCORER_PARAMS as D } from './constants'
import { InvalidParamsError } from './errors'

const BIG = 1e12
const DAY_CAP = Number.MAX_SAFE_INTEGER

/** The full, checked parameters of a scorer. */
export interface ScorerParams {
  /** Counters decay once per this many milliseconds of the injected clock. */
  readonly decayIntervalMs: number
  /** A decayed counter below this is set to 0. */
  readonly decayToZero: number
  /** How long a disconnected peer's score is kept (so reconnecting launders nothing). */
  readonly retainMs: number
  /** Most peers tracked at once, connected and retained together. */
  readonly maxPeers: number
  /** A new identity starts at `score` and cannot rise above it for `probationMs`. */
  readonly newcomer: { readonly score: number; readonly probationMs: number }
  /** Reward for first deliveries: `weight × counter`, counter capped at `cap`. */
  readonly firstDeliveries: {
    readonly weight: number
    readonly cap: number
    readonly decay: number
  }
  /**
   * Delivery deficit: once connected for `activationMs`, `weight × (threshold − counter)²`
   * while the counter (first deliveries and duplicates) is below `threshold`. 0 disables it.
   */
  readonly deliveries: {
    readonly weight: number
    readonly threshold: number
    readonly cap: number
    readonly decay: number
    readonly activationMs: number
  }
  /** A deficit standing when the peer disconnects sticks here: `weight × counter`. */
  readonly deliveryFailures: { readonly weight: number; readonly decay: number }
  /** Invalid messages: `weight × counter²`. */
  readonly invalidMessages: { readonly weight: number; readonly decay: number }
  /** Broken promises (advertised, never sent): `weight × max(0, counter − threshold)²`. */
  readonly brokenPromises: {
    readonly weight: number
    readonly threshold: number
    readonly decay: number
  }
  /** Protocol violations: `weight × counter²`. */
  readonly protocolViolations: { readonly weight: number; readonly decay: number }
  /** The application's own component: `weight × clamp(value, −cap, cap)`. */
  readonly application: { readonly weight: number; readonly cap: number }
  /** Below `gossip`: stop gossiping to; below `publish`: refuse publishes; below `graylist`: ignore. */
  readonly thresholds: {
    readonly gossip: number
    readonly publish: number
    readonly graylist: number
  }
}

/** Any subset of `ScorerParams`, group by group. */
export type ScorerInit = {
  readonly [K in keyof ScorerParams]?: ScorerParams[K] extends object
    ? { readonly [L in keyof ScorerParams[K]]?: ScorerParams[K][L] }
    : ScorerParams[K]
}

function pick(group: Record<string, unknown>, key: string, fallback: number): unknown {
  return group[key] === undefined ? fallback : group[key]
}

/**
 * Fills in defaults and checks every parameter.
 * @param init - the caller's partial params
 * @returns complete, frozen params
 * @throws InvalidParamsError naming the first parameter out of range or out of order
 * @example
 * resolveScorerParams({ retainMs: 600_000 }).retainMs // 600000
 */
export function resolveScorerParams(init: unknown = {}): ScorerParams {
  const top = paramGroup(init, 'params')
  const g = (name: keyof ScorerParams) => paramGroup(top[name], name)
  const newcomer = g('newcomer')
  const first = g('firstDeliveries')
  const deliveries = g('deliveries')
  const failures = g('deliveryFailures')
  const invalid = g('invalidMessages')
  const broken = g('brokenPromises')
  const violations = g('protocolViolations')
  const application = g('application')
  const thresholds = g('thresholds')
  onlyKeys(top, Object.keys(D), '')
  for (const [name, group] of Object.entries({
    newcomer,
    firstDeliveries: first,
    deliveries,
    deliveryFailures: failures,
    invalidMessages: invalid,
    brokenPromises: broken,
    protocolViolations: violations,
    application,
    thresholds,
  })) {
    onlyKeys(group, Object.keys(D[name as keyof typeof D]), `${name}.`)
  }

  const params: ScorerParams = {
    decayIntervalMs: paramInteger(
      pick(top, 'decayIntervalMs', D.decayIntervalMs),
      'decayIntervalMs',
      1,
      DAY_CAP,
    ),
    decayToZero: paramNumber(pick(top, 'decayToZero', D.decayToZero), 'decayToZero', 0, 1),
    retainMs: paramInteger(pick(top, 'retainMs', D.retainMs), 'retainMs', 0, DAY_CAP),
    maxPeers: paramInteger(pick(top, 'maxPeers', D.maxPeers), 'maxPeers', 1, 2 ** 31),
    newcomer: {
      score: paramNumber(pick(newcomer, 'score', D.newcomer.score), 'newcomer.score', -BIG, BIG),
      probationMs: paramInteger(
        pick(newcomer, 'probationMs', D.newcomer.probationMs),
        'newcomer.probationMs',
        0,
        DAY_CAP,
      ),
    },
    firstDeliveries: {
      weight: paramNumber(
        pick(first, 'weight', D.firstDeliveries.weight),
        'firstDeliveries.weight',
        0,
        BIG,
      ),
      cap: paramNumber(pick(first, 'cap', D.firstDeliveries.cap), 'firstDeliveries.cap', 0, BIG),
      decay: paramDecay(pick(first, 'decay', D.firstDeliveries.decay), 'firstDeliveries.decay'),
    },
    deliveries: {
      weight: paramNumber(
        pick(deliveries, 'weight', D.deliveries.weight),
        'deliveries.weight',
        -BIG,
        0,
      ),
      threshold: paramNumber(
        pick(deliveries, 'threshold', D.deliveries.threshold),
        'deliveries.threshold',
        0,
        BIG,
      ),
      cap: paramNumber(pick(deliveries, 'cap', D.deliveries.cap), 'deliveries.cap', 0, BIG),
      decay: paramDecay(pick(deliveries, 'decay', D.deliveries.decay), 'deliveries.decay'),
      activationMs: paramInteger(
        pick(deliveries, 'activationMs', D.deliveries.activationMs),
        'deliveries.activationMs',
        0,
        DAY_CAP,
      ),
    },
    deliveryFailures: {
      weight: paramNumber(
        pick(failures, 'weight', D.deliveryFailures.weight),
        'deliveryFailures.weight',
        -BIG,
        0,
      ),
      decay: paramDecay(
        pick(failures, 'decay', D.deliveryFailures.decay),
        'deliveryFailures.decay',
      ),
    },
    invalidMessages: {
      weight: paramNumber(
        pick(invalid, 'weight', D.invalidMessages.weight),
        'invalidMessages.weight',
        -BIG,
        0,
      ),
      decay: paramDecay(pick(invalid, 'decay', D.invalidMessages.decay), 'invalidMessages.decay'),
    },
    brokenPromises: {
      weight: paramNumber(
        pick(broken, 'weight', D.brokenPromises.weight),
        'brokenPromises.weight',
        -BIG,
        0,
      ),
      threshold: paramNumber(
        pick(broken, 'threshold', D.brokenPromises.threshold),
        'brokenPromises.threshold',
        0,
        BIG,
      ),
      decay: paramDecay(pick(broken, 'decay', D.brokenPromises.decay), 'brokenPromises.decay'),
    },
    protocolViolations: {
      weight: paramNumber(
        pick(violations, 'weight', D.protocolViolations.weight),
        'protocolViolations.weight',
        -BIG,
        0,
      ),
      decay: paramDecay(
        pick(violations, 'decay', D.protocolViolations.decay),
        'protocolViolations.decay',
      ),
    },
    application: {
      weight: paramNumber(
        pick(application, 'weight', D.application.weight),
        'application.weight',
        -BIG,
        BIG,
      ),
      cap: paramNumber(pick(application, 'cap', D.application.cap), 'application.cap', 0, BIG),
    },
    thresholds: {
      gossip: paramNumber(
        pick(thresholds, 'gossip', D.thresholds.gossip),
        'thresholds.gossip',
        -BIG,
        BIG,
      ),
      publish: paramNumber(
        pick(thresholds, 'publish', D.thresholds.publish),
        'thresholds.publish',
        -BIG,
        BIG,
      ),
      graylist: paramNumber(
        pick(thresholds, 'graylist', D.thresholds.graylist),
        'thresholds.graylist',
        -BIG,
        BIG,
      ),
    },
  }
  const t = params.thresholds
  if (!(t.graylist <= t.publish)) {
    throw new InvalidParamsError(
      'thresholds.graylist',
      'thresholds.graylist must be <= thresholds.publish',
    )
  }
  if (!(t.publish <= t.gossip)) {
    throw new InvalidParamsError(
      'thresholds.publish',
      'thresholds.publish must be <= thresholds.gossip',
    )
  }
  return deepFreeze(params)
}

/** A misspelt parameter would silently keep its default, so unknown keys are refused. */
function onlyKeys(group: Record<string, unknown>, allowed: string[], prefix: string): void {
  for (const key of Object.keys(group)) {
    if (!allowed.includes(key)) {
      throw new InvalidParamsError(`${prefix}${key}`, `unknown parameter "${prefix}${key}"`)
    }
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (typeof inner === 'object') Object.freeze(inner)
  return Object.freeze(value)
}
