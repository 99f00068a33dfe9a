// The life of a foreground daemon after start-up, shared by `leasehold server` and `leasehold relay`:
// serve until SIGTERM or SIGINT, log the signal as ISC does ("Received signal 15, initiating
// shutdown."), stop, and exit 0 — or 1 when stopping failed. The server reloads on SIGHUP.

/** ISC logs the signal's number. */
const SIGNAL_NUMBERS: Record<string, number> = { SIGINT: 2, SIGTERM: 15 };

export function untilSignal(
  log: { info(line: string): void; error(line: string): void },
  stop: () => Promise<void>,
  /** Another way to be asked to stop (the server's OMAPI control object): resolves with the reason. */
  requested?: Promise<string>,
  /** SIGHUP: the server reloads its configuration (without it, SIGHUP keeps Node's default: exit). */
  onHangup?: () => void,
): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals | { reason: string }) => {
      if (stopping) return;
      stopping = true;
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      if (onHangup !== undefined) process.off('SIGHUP', onHangup);
      log.info(
        typeof sig === 'string'
          ? `Received signal ${SIGNAL_NUMBERS[sig] ?? sig}, initiating shutdown.`
          : `${sig.reason}, initiating shutdown.`,
      );
      stop().then(
        () => resolve(0),
        (e: unknown) => {
          log.error(`shutdown: ${e instanceof Error ? e.message : String(e)}`);
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    if (onHangup !== undefined) process.on('SIGHUP', onHangup);
    void requested?.then((reason) => onSignal({ reason }));
  });
}
