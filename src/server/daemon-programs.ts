// Runs the programs of `execute ("program", args...)` (dhcp-eval(5)). ISC forks, execvp()s the program
// with the evaluated arguments and the server's own environment, and waits for it: every client stalls
// while it runs. Here the program gets the same argv and environment but runs beside the server: a
// time limit, a cap on how many run at once (the rest wait in a bounded queue), and one log line per
// failure (ISC's "execute: PROGRAM exit status N" with its raw wait status, "Unable to execute ...").
// A program can never fail a lease or stop the server.

import { spawn } from 'node:child_process';
import type { ExecuteRequest } from '../conf/eval-context.js';
import type { Logger } from './daemon-log.js';

export interface ProgramRunnerOptions {
  /** A program still running after this is killed (SIGTERM, then SIGKILL 2 s later). Default 30 s. */
  timeoutMs?: number;
  /** Programs running at once. Default 8. */
  maxRunning?: number;
  /** Programs waiting beyond that; more are dropped with a log line. Default 1000. */
  maxQueued?: number;
}

export class ProgramRunner {
  private running = 0;
  private readonly queue: ExecuteRequest[] = [];
  private readonly idle: (() => void)[] = [];
  private readonly timeoutMs: number;
  private readonly maxRunning: number;
  private readonly maxQueued: number;
  /** Programs started, failed (non-zero, signal, not started, killed) and dropped: for tests and statistics. */
  readonly counts = { started: 0, failed: 0, dropped: 0 };

  constructor(
    private readonly log: Logger,
    opts: ProgramRunnerOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxRunning = opts.maxRunning ?? 8;
    this.maxQueued = opts.maxQueued ?? 1000;
  }

  run(req: ExecuteRequest): void {
    if (this.running >= this.maxRunning) {
      if (this.queue.length >= this.maxQueued) {
        this.counts.dropped++;
        this.log.error(`execute: ${req.command} not run: ${this.maxQueued} programs already waiting`);
        return;
      }
      this.queue.push(req);
      return;
    }
    this.start(req);
  }

  private start(req: ExecuteRequest): void {
    this.running++;
    this.counts.started++;
    let done = false;
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (killTimer !== undefined) clearTimeout(killTimer);
      this.running--;
      const next = this.queue.shift();
      if (next !== undefined) this.start(next);
      else if (this.running === 0) for (const resolve of this.idle.splice(0)) resolve();
    };
    // argv[0] is the command as written, found through PATH as execvp finds it; no shell.
    const child = spawn(req.command, req.args, { stdio: 'ignore', env: process.env, detached: false });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
      killTimer.unref();
    }, this.timeoutMs);
    timer.unref();
    child.on('error', (e) => {
      this.counts.failed++;
      this.log.error(`Unable to execute ${req.command}: ${e.message}`);
      finish();
    });
    child.on('exit', (code, signal) => {
      if (timedOut) {
        this.counts.failed++;
        this.log.error(`execute: ${req.command} still running after ${this.timeoutMs / 1000} s: killed`);
      } else if (signal !== null) {
        this.counts.failed++;
        this.log.error(`execute: ${req.command} killed by ${signal}`);
      } else if (code !== 0 && code !== null) {
        this.counts.failed++;
        // ISC prints waitpid's raw status: the exit code times 256.
        this.log.error(`execute: ${req.command} exit status ${code * 256}`);
      }
      finish();
    });
  }

  /** Resolves once nothing runs or waits (bounded by the caller). */
  settled(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}
