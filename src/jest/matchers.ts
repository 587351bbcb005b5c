import type { FakeBatch } from "../fake";
import type { RecordedRequest } from "../service";

/** A command class such as `SubmitJobCommand`: its name gives the operation. */
export type CommandClass = abstract new (...args: never[]) => { readonly input: object };
type InputOf<C extends CommandClass> = Partial<InstanceType<C>["input"]>;

interface MatcherContext {
  equals(actual: unknown, expected: unknown): boolean;
  isNot: boolean;
  utils: { printExpected(value: unknown): string; printReceived(value: unknown): string };
}

interface MatcherResult {
  pass: boolean;
  message(): string;
}

function operationOf(command: CommandClass): string {
  return command.name.replace(/Command$/, "");
}

function requestsOf(received: unknown): readonly RecordedRequest[] {
  const requests = (received as Partial<FakeBatch> | undefined)?.requests;
  if (!Array.isArray(requests)) throw new Error("expected a fake made by fakeBatch(), to read the calls it received");
  return requests;
}

function partial(input: object): unknown {
  const expect = (globalThis as { expect?: { objectContaining(value: object): unknown } }).expect;
  return expect ? expect.objectContaining(input) : input;
}

function describeCalls(context: MatcherContext, calls: readonly RecordedRequest[]): string {
  if (calls.length === 0) return "It received no calls.";
  return `It received:\n${calls.map((call, i) => `  ${i + 1}. ${call.operation} ${context.utils.printReceived(call.input)}`).join("\n")}`;
}

function result(context: MatcherContext, pass: boolean, what: string, calls: readonly RecordedRequest[]): MatcherResult {
  return { pass, message: () => `Expected the fake ${pass ? "not " : ""}to have received ${what}.\n${describeCalls(context, calls)}` };
}

/** Matchers named as aws-sdk-client-mock-jest names them, so assertions carry over when switching. */
export const matchers = {
  toHaveReceivedCommand(this: MatcherContext, received: unknown, command: CommandClass): MatcherResult {
    const calls = requestsOf(received);
    return result(this, calls.some((call) => call.operation === operationOf(command)), command.name, calls);
  },

  toHaveReceivedCommandTimes(this: MatcherContext, received: unknown, command: CommandClass, times: number): MatcherResult {
    const calls = requestsOf(received);
    const count = calls.filter((call) => call.operation === operationOf(command)).length;
    return result(this, count === times, `${command.name} ${times} times (received it ${count} times)`, calls);
  },

  toHaveReceivedCommandOnce(this: MatcherContext, received: unknown, command: CommandClass): MatcherResult {
    return matchers.toHaveReceivedCommandTimes.call(this, received, command, 1);
  },

  toHaveReceivedCommandWith<C extends CommandClass>(this: MatcherContext, received: unknown, command: C, input: InputOf<C>): MatcherResult {
    const calls = requestsOf(received);
    const pass = calls.some((call) => call.operation === operationOf(command) && this.equals(call.input, partial(input)));
    return result(this, pass, `${command.name} with ${this.utils.printExpected(input)}`, calls);
  },

  toHaveReceivedCommandExactlyOnceWith<C extends CommandClass>(this: MatcherContext, received: unknown, command: C, input: InputOf<C>): MatcherResult {
    const calls = requestsOf(received);
    const count = calls.filter((call) => call.operation === operationOf(command) && this.equals(call.input, partial(input))).length;
    return result(this, count === 1, `${command.name} exactly once with ${this.utils.printExpected(input)} (matched ${count} times)`, calls);
  },

  toHaveReceivedNthCommandWith<C extends CommandClass>(this: MatcherContext, received: unknown, n: number, command: C, input: InputOf<C>): MatcherResult {
    const calls = requestsOf(received);
    const call = calls[n - 1];
    const pass = call !== undefined && call.operation === operationOf(command) && this.equals(call.input, partial(input));
    return result(this, pass, `${command.name} with ${this.utils.printExpected(input)} as call ${n}`, calls);
  },

  toHaveReceivedNthSpecificCommandWith<C extends CommandClass>(this: MatcherContext, received: unknown, n: number, command: C, input: InputOf<C>): MatcherResult {
    const calls = requestsOf(received);
    const call = calls.filter((c) => c.operation === operationOf(command))[n - 1];
    const pass = call !== undefined && this.equals(call.input, partial(input));
    return result(this, pass, `${command.name} with ${this.utils.printExpected(input)} as its call ${n}`, calls);
  },

  toHaveReceivedAnyCommand(this: MatcherContext, received: unknown): MatcherResult {
    const calls = requestsOf(received);
    return result(this, calls.length > 0, "any command", calls);
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
