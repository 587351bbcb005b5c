/** Where the engine reads the time. Nothing in the engine sleeps: time only moves through the clock. */
export interface Clock {
  readonly kind: "real" | "manual";
  now(): number;
}

export class RealClock implements Clock {
  readonly kind = "real";
  now(): number {
    return Date.now();
  }
}

/** Virtual time: stands still until `advanceTo` moves it. */
export class ManualClock implements Clock {
  readonly kind = "manual";
  private current: number;

  constructor(start = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  advanceTo(time: number): void {
    if (time > this.current) this.current = time;
  }
}
