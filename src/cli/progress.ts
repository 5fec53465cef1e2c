/**
 * A progress bar on standard error while a history replays, only when it is a terminal: in a
 * pipe or a CI log the bar would only add noise, and the closing summary line says enough.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function replayProgress(name: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { stream, format: `${name} [{bar}] {value}/{total} issues | ETA {eta_formatted}`, etaBuffer: 200, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  return {
    update(done, total) {
      if (!running) bar.start(total, done);
      running = true;
      bar.update(done);
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
