import { IdleTracker, type IdleClock } from './idle-tracker.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';

class FakeClock implements IdleClock {
  time = 0;
  #timers = new Map<number, { at: number; callback: () => void }>();
  #next = 1;
  now = () => this.time;
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.time + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  get pending(): number {
    return this.#timers.size;
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.#timers]
        .filter(([, timer]) => timer.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].callback();
    }
    this.time = end;
  }
}

function setup() {
  const clock = new FakeClock();
  const reports: number[] = [];
  const tracker = new IdleTracker({ clock, thresholdMs: 60_000, report: (seconds) => reports.push(seconds) });
  return { clock, reports, tracker };
}

test('a user without input for 60 s is reported idle once, with the idle time so far', () => {
  const { clock, reports, tracker } = setup();
  clock.advance(59_999);
  assert.deepEqual(reports, []);
  clock.advance(1);
  assert.deepEqual(reports, [60]);
  clock.advance(600_000);
  assert.deepEqual(reports, [60], 'idle is reported on the transition only');
  assert.equal(tracker.idleSeconds(), 660);
  assert.equal(clock.pending, 0, 'no timer runs while idle');
});

test('input while active sends nothing; the idle report counts from the last input', () => {
  const { clock, reports, tracker } = setup();
  clock.advance(30_000);
  tracker.input();
  clock.advance(45_000);
  tracker.input();
  assert.deepEqual(reports, []);
  clock.advance(59_000);
  assert.deepEqual(reports, []);
  clock.advance(1_000);
  assert.deepEqual(reports, [60]);
  assert.equal(tracker.idleSeconds(), 60);
});

test('the first input after idleness reports 0 once, and idleness is timed again from there', () => {
  const { clock, reports, tracker } = setup();
  clock.advance(90_000);
  tracker.input();
  tracker.input();
  assert.deepEqual(reports, [60, 0]);
  assert.equal(tracker.idle, false);
  assert.equal(tracker.idleSeconds(), 0);
  clock.advance(60_000);
  assert.deepEqual(reports, [60, 0, 60]);
});

test('a late timer (a hidden tab is throttled) reports the real idle time', () => {
  const clock = new FakeClock();
  const reports: number[] = [];
  const tracker = new IdleTracker({ clock, thresholdMs: 60_000, report: (seconds) => reports.push(seconds) });
  // The page slept for 5 minutes: the clock moved on before the timer could run.
  clock.time = 300_000;
  clock.advance(0);
  assert.deepEqual(reports, [300]);
  tracker.stop();
});
