import { describe, expect, it } from 'vitest'
import { parseSimArgs } from '../src/args'
import { isSimError, type SimErrorName } from '../src/errors'

function errorName(argv: string[]): SimErrorName | undefined {
  try {
    parseSimArgs(argv)
  } catch (error) {
    if (isSimError(error)) return error.name
    throw error
  }
  return undefined
}

describe('parseSimArgs', () => {
  it('fills in defaults', () => {
    expect(parseSimArgs([])).toEqual({
      nodes: 1000,
      messages: 100,
      strategies: ['plumtree'],
      crash: 0,
      sybil: 0,
      loss: 0,
      seed: 1,
      quiet: false,
      help: false,
    })
  })

  it('reads every flag, in both --flag value and --flag=value forms, after a bare --', () => {
    const args = parseSimArgs([
      '--',
      '--nodes',
      '10000',
      '--messages=100',
      '--strategy',
      'plumtree,mesh,flood',
      '--crash',
      '0.3',
      '--sybil=0.2',
      '--loss',
      '.05',
      '--seed',
      '-7',
      '--publishers',
      '5',
      '--json',
      'out.json',
      '--svg',
      'out.svg',
      '--workers',
      '2',
      '--quiet',
    ])
    expect(args).toEqual({
      nodes: 10_000,
      messages: 100,
      strategies: ['plumtree', 'mesh', 'flood'],
      crash: 0.3,
      sybil: 0.2,
      loss: 0.05,
      seed: -7,
      publishers: 5,
      json: 'out.json',
      svg: 'out.svg',
      workers: 2,
      quiet: true,
      help: false,
    })
  })

  it.each([
    [['--nodes', 'ten'], 'InvalidArgumentError'],
    [['--nodes', '1'], 'InvalidArgumentError'],
    [['--nodes', '1.5'], 'InvalidArgumentError'],
    [['--messages', '0'], 'InvalidArgumentError'],
    [['--crash', '1.2'], 'InvalidArgumentError'],
    [['--crash', '-0.1'], 'InvalidArgumentError'],
    [['--sybil', '0.6'], 'InvalidArgumentError'],
    [['--loss', 'NaN'], 'InvalidArgumentError'],
    [['--loss', 'Infinity'], 'InvalidArgumentError'],
    [['--seed', '9007199254740993'], 'InvalidArgumentError'],
    [['--seed'], 'InvalidArgumentError'],
    [['--json', '--quiet'], 'InvalidArgumentError'],
    [['--nodes', '5', '--nodes', '6'], 'InvalidArgumentError'],
    [['--quiet=yes'], 'InvalidArgumentError'],
    [['--publishers', '0'], 'InvalidArgumentError'],
    [['--workers', '0'], 'InvalidArgumentError'],
    [['--workers', '65'], 'InvalidArgumentError'],
    [['stray'], 'InvalidArgumentError'],
    [['--strategy', 'plumtree,plumtree'], 'InvalidArgumentError'],
    [['--strategy', 'gossipsub'], 'UnknownStrategyError'],
    [['--strategy', 'flood,'], 'UnknownStrategyError'],
    [['--node', '5'], 'UnknownFlagError'],
    [['--verbose'], 'UnknownFlagError'],
  ] as const)('rejects %j with %s', (argv, name) => {
    expect(errorName([...argv])).toBe(name)
  })

  it('names the offending flag on the error', () => {
    try {
      parseSimArgs(['--loss', '2'])
      expect.unreachable()
    } catch (error) {
      expect(isSimError(error, 'InvalidArgumentError')).toBe(true)
      expect((error as { flag: string }).flag).toBe('loss')
    }
  })
})
