import cliProgress from 'cli-progress';

export interface Progress {
  tick(): void;
  stop(): void;
}

/**
 * The progress bar of an import (cli-progress, on stderr, so stdout keeps only the summary).
 * Without a terminal it prints nothing: logs and tests get the closing summary alone.
 */
export function createProgress(enabled: boolean, total: number, what: string): Progress {
  if (!enabled) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: ` {bar} {percentage}% | {value}/{total} ${what} | {duration_formatted} elapsed, ETA {eta_formatted}`, hideCursor: true, etaBuffer: 200, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    tick: () => bar.increment(),
    stop: () => bar.stop(),
  };
}
