/** The page: two views, chosen by the address's hash (#sim, #market). */
import { startMarketView } from './market-view'
import { startSimView } from './sim-view'

const started = new Set<string>()

async function show(view: string): Promise<void> {
  for (const section of document.querySelectorAll('main > section'))
    (section as HTMLElement).hidden = section.id !== view
  for (const link of document.querySelectorAll('nav a'))
    link.classList.toggle('active', (link as HTMLElement).dataset.view === view)
  if (started.has(view)) return
  started.add(view)
  const root = document.getElementById(view) as HTMLElement
  if (view === 'sim') await startSimView(root)
  else startMarketView(root)
  document.body.dataset.ready = [...started].join(' ')
}

const current = () => (location.hash === '#market' ? 'market' : 'sim')
window.addEventListener('hashchange', () => void show(current()))
void show(current())
