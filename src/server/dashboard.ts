import type { BatchService } from "../service";

/** What the dashboard shows, as JSON. */
export function dashboardState(service: BatchService): unknown {
  return { now: service.clock.now(), partitions: [...service.partitions.all()].map((store) => store.partition) };
}

export function dashboardPage(): string {
  return "<!doctype html><title>parlel-batch</title><h1>parlel-batch</h1>";
}
