// The training runs of the labs, kept in this browser's localStorage for the run
// dashboard (runs.html): each run as the CLI's run directory would hold it
// (manifest.json and metrics.jsonl as text), replaced epoch by epoch while it trains.
// Nothing here is sent anywhere; the reader can forget them all from the dashboard.
const STORAGE_KEY = 'epibook-runs';
// The oldest runs give way beyond this many (a run takes a few kB).
export const MAX_STORED_RUNS = 60;
// The event this window gets when a lab of it stored a run.
export const STORED_EVENT = 'epibook-run-stored';

export function storedRuns() {
  try {
    const runs = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(runs) ? runs.filter((r) => r && typeof r.id === 'string') : [];
  } catch {
    return [];  // storage off (private mode) or a damaged entry: no stored runs
  }
}

// A run's record { id, lab, run ('A' or 'B'), page, saved (ISO time), manifest, metrics }:
// added, or put in place of the record with the same id.
export function storeRun(record) {
  const runs = storedRuns().filter((r) => r.id !== record.id);
  runs.push(record);
  while (runs.length > MAX_STORED_RUNS) runs.shift();
  for (;;) {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(runs));
      // A dashboard in this same page (the storage event only reaches other tabs).
      window.dispatchEvent(new CustomEvent(STORED_EVENT));
      return true;
    } catch (error) {
      // Full: drop the oldest other run and try again; with none left, give up quietly.
      if (runs.length <= 1) {
        console.warn(`epibook: the run could not be kept in this browser (${error.message})`);
        return false;
      }
      runs.shift();
    }
  }
}

export function forgetStoredRuns() {
  try { localStorage.removeItem(STORAGE_KEY); } catch { /* storage off: nothing was kept */ }
}
