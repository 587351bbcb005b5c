/** A command class such as `SubmitJobCommand`: its name gives the operation. */
export type CommandClass = abstract new (...args: never[]) => { readonly input: object };
/** An asymmetric matcher such as `expect.stringMatching(…)`, from Jest, `@jest/globals` or Vitest. */
export interface AsymmetricMatcher {
  asymmetricMatch(other: unknown): boolean;
}
/** Some members of a command's input, each as the command takes it or as an asymmetric matcher. */
export type InputOf<C extends CommandClass> = { [K in keyof InstanceType<C>["input"]]?: InstanceType<C>["input"][K] | AsymmetricMatcher };

interface MatcherContext {
  equals(actual: unknown, expected: unknown): boolean;
  isNot: boolean;
  utils: { printExpected(value: unknown): string; printReceived(value: unknown): string };
}

interface MatcherResult {
  pass: boolean;
  message(): string;
}

const LOGS_NAMESPACE = "com.amazonaws.cloudwatchlogs";
const operations = new WeakMap<CommandClass, string>();

/** The recorded name of a command's operation: CloudWatch Logs' carry the `logs:` prefix (see the README). */
function operationOf(command: CommandClass): string {
  let operation = operations.get(command);
  if (operation === undefined) {
    operation = command.name.replace(/Command$/, "");
    if (namespaceOf(command) === LOGS_NAMESPACE) operation = `logs:${operation}`;
    operations.set(command, operation);
  }
  return operation;
}

/** The service namespace of the operation schema an SDK command carries (`schema[1]`), if it has one. */
function namespaceOf(command: CommandClass): unknown {
  try {
    const instance = new (command as unknown as new (input: object) => { schema?: unknown })({});
    return Array.isArray(instance.schema) ? instance.schema[1] : undefined;
  } catch {
    return undefined;
  }
}

/** The calls a matcher reads: the fake's log as the log keeps them, so a scan makes no copies. */
interface Calls {
  readonly size: number;
  /** Calls the log let go of (it keeps only the latest ones). */
  readonly dropped: number;
  readonly limit: number;
  at(i: number): { readonly operation: string; readInput(): Record<string, unknown> } | undefined;
}

function callsOf(received: unknown): Calls {
  const log = (received as { service?: { requestLog?: Partial<Calls> } } | undefined)?.service?.requestLog;
  if (!log || typeof log.at !== "function" || typeof log.size !== "number") throw new Error("expected a fake made by fakeBatch(), to read the calls it received");
  return log as Calls;
}

/** The calls of one operation, in order. */
function callsTo(calls: Calls, command: CommandClass): { readInput(): Record<string, unknown> }[] {
  const operation = operationOf(command);
  const found = [];
  for (let i = 0; i < calls.size; i++) {
    const call = calls.at(i);
    if (call?.operation === operation) found.push(call);
  }
  return found;
}

/** An answer the kept calls cannot give, because calls that may decide it were let go. */
function undecidable(calls: Calls, what: string): never {
  throw new Error(
    `The fake's request log let go of its ${calls.dropped} earliest calls (it keeps the latest ${calls.limit}), so it cannot tell whether it received ${what}. ` +
      "Pass a larger recordRequests to fakeBatch(), or clearRequests() before the calls you assert on.",
  );
}

/** How many of the latest calls a failure message lists. */
const LISTED_CALLS = 20;

function describeCalls(context: MatcherContext, calls: Calls): string {
  if (calls.size === 0) return calls.dropped > 0 ? `It keeps no calls (${calls.dropped} were let go).` : "It received no calls.";
  const first = Math.max(0, calls.size - LISTED_CALLS);
  const lines: string[] = [];
  for (let i = first; i < calls.size; i++) {
    const call = calls.at(i);
    if (call) lines.push(`  ${calls.dropped + i + 1}. ${call.operation} ${context.utils.printReceived(call.readInput())}`);
  }
  const earlier = calls.dropped + first;
  return `It received${earlier > 0 ? ` (the latest ${lines.length} of ${earlier + lines.length} calls)` : ""}:\n${lines.join("\n")}`;
}

function result(context: MatcherContext, pass: boolean, what: string, calls: Calls): MatcherResult {
  return { pass, message: () => `Expected the fake ${pass ? "not " : ""}to have received ${what}.\n${describeCalls(context, calls)}` };
}

/**
 * Whether a call's input has every member given, as `expect.objectContaining` would say. Compared through the
 * matcher's own `equals`, so it needs no global `expect` (there is none with `@jest/globals` or Vitest).
 */
function matches(context: MatcherContext, call: { readInput(): Record<string, unknown> }, input: object): boolean {
  const received = call.readInput();
  return Object.entries(input).every(([member, value]) => context.equals(received[member], value));
}

/**
 * Matchers named as aws-sdk-client-mock-jest names them, so assertions carry over when switching. They read
 * the calls the log keeps; one whose answer depends on calls the log has let go throws, rather than guess.
 */
export const matchers = {
  toHaveReceivedCommand(this: MatcherContext, received: unknown, command: CommandClass): MatcherResult {
    const calls = callsOf(received);
    const pass = callsTo(calls, command).length > 0;
    if (!pass && calls.dropped > 0) undecidable(calls, command.name);
    return result(this, pass, command.name, calls);
  },

  toHaveReceivedCommandTimes(this: MatcherContext, received: unknown, command: CommandClass, times: number): MatcherResult {
    const calls = callsOf(received);
    const count = callsTo(calls, command).length;
    if (count <= times && calls.dropped > 0) undecidable(calls, `${command.name} ${times} times`);
    return result(this, count === times, `${command.name} ${times} times (received it ${count} times)`, calls);
  },

  toHaveReceivedCommandOnce(this: MatcherContext, received: unknown, command: CommandClass): MatcherResult {
    return matchers.toHaveReceivedCommandTimes.call(this, received, command, 1);
  },

  toHaveReceivedCommandWith<C extends CommandClass>(this: MatcherContext, received: unknown, command: C, input: InputOf<C>): MatcherResult {
    const calls = callsOf(received);
    const pass = callsTo(calls, command).some((call) => matches(this, call, input));
    const what = `${command.name} with ${this.utils.printExpected(input)}`;
    if (!pass && calls.dropped > 0) undecidable(calls, what);
    return result(this, pass, what, calls);
  },

  toHaveReceivedCommandExactlyOnceWith<C extends CommandClass>(this: MatcherContext, received: unknown, command: C, input: InputOf<C>): MatcherResult {
    const calls = callsOf(received);
    const count = callsTo(calls, command).filter((call) => matches(this, call, input)).length;
    const what = `${command.name} exactly once with ${this.utils.printExpected(input)}`;
    if (count <= 1 && calls.dropped > 0) undecidable(calls, what);
    return result(this, count === 1, `${what} (matched ${count} times)`, calls);
  },

  toHaveReceivedNthCommandWith<C extends CommandClass>(this: MatcherContext, received: unknown, n: number, command: C, input: InputOf<C>): MatcherResult {
    const calls = callsOf(received);
    const what = `${command.name} with ${this.utils.printExpected(input)} as call ${n}`;
    // Calls are numbered from the first the fake received, kept or not.
    if (n <= calls.dropped) undecidable(calls, what);
    const call = calls.at(n - 1 - calls.dropped);
    const pass = call !== undefined && call.operation === operationOf(command) && matches(this, call, input);
    return result(this, pass, what, calls);
  },

  toHaveReceivedNthSpecificCommandWith<C extends CommandClass>(this: MatcherContext, received: unknown, n: number, command: C, input: InputOf<C>): MatcherResult {
    const calls = callsOf(received);
    const what = `${command.name} with ${this.utils.printExpected(input)} as its call ${n}`;
    if (calls.dropped > 0) undecidable(calls, what);
    const call = callsTo(calls, command)[n - 1];
    return result(this, call !== undefined && matches(this, call, input), what, calls);
  },

  toHaveReceivedAnyCommand(this: MatcherContext, received: unknown): MatcherResult {
    const calls = callsOf(received);
    return result(this, calls.size > 0 || calls.dropped > 0, "any command", calls);
  },
};

export interface FakeBatchMatchers<R = unknown> {
  toHaveReceivedCommand(command: CommandClass): R;
  toHaveReceivedCommandTimes(command: CommandClass, times: number): R;
  toHaveReceivedCommandOnce(command: CommandClass): R;
  toHaveReceivedCommandWith<C extends CommandClass>(command: C, input: InputOf<C>): R;
  toHaveReceivedCommandExactlyOnceWith<C extends CommandClass>(command: C, input: InputOf<C>): R;
  toHaveReceivedNthCommandWith<C extends CommandClass>(n: number, command: C, input: InputOf<C>): R;
  toHaveReceivedNthSpecificCommandWith<C extends CommandClass>(n: number, command: C, input: InputOf<C>): R;
  toHaveReceivedAnyCommand(): R;
}
