/** Where the engine reads the time. Nothing in the engine sleeps: time only moves through the clock. */
export interface Clock {
  readonly kind: "real" | "manual";
  now(): number;
}

/** The latest instant a JavaScript `Date` can hold (+275760-09-13), in epoch milliseconds. */
export const LATEST_TIME = 8.64e15;

export class RealClock implements Clock {
  readonly kind = "real";
  /** Set while a state journal is replayed: the time each recorded change was made at. */
  pinned: number | undefined = undefined;
  now(): number {
    return this.pinned ?? Date.now();
  }
}

/** Virtual time: stands still until `advanceTo` moves it, and never leaves the range of a `Date`. */
export class ManualClock implements Clock {
  readonly kind = "manual";
  private current: number;

  constructor(start = Date.now()) {
    if (typeof start !== "number" || !Number.isFinite(start) || Math.abs(start) > LATEST_TIME) {
      throw new RangeError(`The manual clock's startTime must be epoch milliseconds a JavaScript Date can hold (±${LATEST_TIME}), got ${String(start)}.`);
    }
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /**
   * The time `ms` from now. A duration that is not 0 or more finite milliseconds, or that would carry the
   * clock past the latest time a `Date` can hold, is refused before anything moves.
   */
  targetOf(ms: number): number {
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) throw new RangeError(`advance() takes a duration of 0 or more milliseconds, got ${String(ms)}.`);
    const target = this.current + ms;
    if (target > LATEST_TIME) {
      const room = LATEST_TIME - this.current;
      throw new RangeError(
        `Advancing ${ms} ms would move the clock past ${new Date(LATEST_TIME).toISOString()}, the latest time a JavaScript Date can hold: the clock is at ${new Date(this.current).toISOString()}, so it can advance at most ${room} ms.`,
      );
    }
    return target;
  }

  advanceTo(time: number): void {
    if (time > this.current) this.current = Math.min(time, LATEST_TIME);
  }
}
