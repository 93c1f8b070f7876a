/**
 * The contract for `pnpm scenarios`: each file in `bench/scenarios/*.ts` default-exports
 * an array of `ScenarioGroup`s. A group runs once per seed and returns figures by id;
 * each figure is printed beside its target.
 */

type Comparison = '>=' | '<=' | '>' | '<' | '=='

export interface Target {
  op: Comparison
  value: number
}

export interface ScenarioGroup {
  /** Short name, used by `--only`. */
  name: string
  /** One line on what the group simulates. */
  description: string
  /** Target per figure id; a figure without a target is reported only. */
  targets: Record<string, Target | null>
  run(options: { seed: number; log: (line: string) => void }): Promise<Record<string, number>>
}

export function meets(value: number, target: Target): boolean {
  switch (target.op) {
    case '>=':
      return value >= target.value
    case '<=':
      return value <= target.value
    case '>':
      return value > target.value
    case '<':
      return value < target.value
    case '==':
      return value === target.value
  }
}
