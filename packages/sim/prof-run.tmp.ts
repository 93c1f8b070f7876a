import { runGossip, strategyFromName } from '@peerkit/sim'

const n = Number(process.argv[2] ?? 2000)
const m = Number(process.argv[3] ?? 20)
const s = process.argv[4] ?? 'plumtree'
const t0 = performance.now()
const cpu0 = process.cpuUsage()
const r = await runGossip({ strategy: strategyFromName(s), nodes: n, messages: m, seed: 1 })
const cpu = process.cpuUsage(cpu0)
console.log(
  JSON.stringify({
    wall: Math.round(performance.now() - t0),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    events: r.events,
    rel: r.reliability,
    rmr: r.rmr,
    ldh: r.ldh,
  }),
)
