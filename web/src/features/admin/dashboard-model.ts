import type { DashboardListener } from './types.ts';

/**
 * The listener states from the Prometheus text of /metrics
 * (`coo_listener_up{listener="smtp"} 0`): where the server's dashboard
 * answer has none, /metrics still tells which listeners run.
 */
export function listenersFromMetrics(text: string): DashboardListener[] {
  const listeners: DashboardListener[] = [];
  for (const match of text.matchAll(/^coo_listener_up\{listener="([^"]+)"\}\s+([0-9.]+)\s*$/gm)) {
    const [, name, value] = match;
    if (name === undefined) continue;
    listeners.push({ name, configured: '', running: Number(value) === 1, address: null, reason: null });
  }
  return listeners;
}

/** Share of the disk in use, 0–1; null when the sizes are unknown. */
export function diskUsed(free: number | null, total: number | null): number | null {
  if (free === null || total === null || total <= 0) return null;
  return Math.min(1, Math.max(0, (total - free) / total));
}
