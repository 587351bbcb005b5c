import { createHash } from "node:crypto";
import type { LogEvent, LogPosition } from "../state/log-store";
import { invalidParameter } from "./errors";

/**
 * GetLogEvents' tokens look like AWS's, `f/<56 digits>/s` and `b/<56 digits>/s`: a position in the stream
 * (20 digits of timestamp, 36 of sequence), read forward or backward from it. FilterLogEvents' event ids
 * are the same 56 digits of the event's own position.
 */
export type Direction = "forward" | "backward";

const STREAM_TOKEN = /^([fb])\/(\d{20})(\d{36})\/s$/;

export function streamToken(direction: Direction, position: LogPosition): string {
  return `${direction === "forward" ? "f" : "b"}/${digits(position.timestamp, position.sequence)}/s`;
}

export function parseStreamToken(token: string): { direction: Direction; position: LogPosition } {
  const match = STREAM_TOKEN.exec(token);
  if (!match) throw badToken();
  return { direction: match[1] === "f" ? "forward" : "backward", position: { timestamp: Number(match[2]), sequence: Number(match[3]) } };
}

export function eventId(event: LogEvent): string {
  return digits(event.timestamp, event.sequence);
}

function digits(timestamp: number, sequence: number): string {
  return String(Math.max(0, Math.trunc(timestamp))).padStart(20, "0") + String(sequence).padStart(36, "0");
}

/**
 * The other operations' tokens are opaque: base64url JSON holding the position and a digest of the
 * request's other members, so a token is refused when replayed against another query.
 */
export function pageToken(request: unknown, position: unknown): string {
  return Buffer.from(JSON.stringify({ q: digest(request), p: position })).toString("base64url");
}

export function parsePageToken<Position>(token: string | undefined, request: unknown, isPosition: (value: unknown) => value is Position): Position | undefined {
  if (token === undefined) return undefined;
  let parsed: { q?: unknown; p?: unknown } | undefined;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { q?: unknown; p?: unknown };
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || parsed.q !== digest(request) || !isPosition(parsed.p)) throw badToken();
  return parsed.p;
}

function digest(request: unknown): string {
  return createHash("sha256").update(JSON.stringify(request)).digest("base64url").slice(0, 16);
}

function badToken() {
  return invalidParameter("The specified nextToken is invalid.");
}
