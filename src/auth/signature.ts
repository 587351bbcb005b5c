import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Checksum, HttpRequest, SourceData } from "@smithy/types";
import { BatchError } from "../operations/errors";
import type { Partition } from "../state/partition";
import type { WireRequest } from "../handler/wire";

/** A key the fake knows: requests signed with it land in its account. */
export interface FakeCredential {
  accessKeyId: string;
  secretAccessKey: string;
  /** The account the key belongs to. Default: the fake's default account. */
  accountId?: string;
  /** For temporary credentials: requests must carry this `x-amz-security-token`. */
  sessionToken?: string;
}

export interface SignatureOptions {
  credentials?: readonly FakeCredential[];
  /** Check every request's SigV4 signature against `credentials`. Default false: any signature is accepted. */
  verifySignatures?: boolean;
  /** How far a request's time may be from real time. Default 5 minutes, as AWS allows. */
  signatureWindowMs?: number;
}

const DEFAULT_WINDOW_MS = 5 * 60 * 1000;
const AUTHORIZATION = /^AWS4-HMAC-SHA256 (.*)$/;
const SCOPE = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;
const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/** SigV4 as the fake checks it: which account a request belongs to, and whether its signature holds. */
export class Signatures {
  private readonly byKey = new Map<string, FakeCredential>();
  private readonly verify: boolean;
  private readonly windowMs: number;

  constructor(options: SignatureOptions, private readonly defaultAccountId: string) {
    for (const credential of options.credentials ?? []) {
      if (!credential.accessKeyId || !credential.secretAccessKey) throw new Error("Each credential needs an accessKeyId and a secretAccessKey.");
      if (credential.accountId !== undefined && !/^\d{12}$/.test(credential.accountId)) throw new Error(`The accountId of ${credential.accessKeyId} must be 12 digits, got ${credential.accountId}.`);
      this.byKey.set(credential.accessKeyId, credential);
    }
    this.verify = options.verifySignatures === true;
    if (this.verify && this.byKey.size === 0) throw new Error("verifySignatures needs at least one credential to check signatures against.");
    this.windowMs = options.signatureWindowMs ?? DEFAULT_WINDOW_MS;
  }

  get verifying(): boolean {
    return this.verify;
  }

  /** The account of a configured access key, or undefined when the key is not configured. */
  accountOf(accessKeyId: string): string | undefined {
    const credential = this.byKey.get(accessKeyId);
    return credential && (credential.accountId ?? this.defaultAccountId);
  }

  /**
   * Checks the request's signature, in AWS's order: a missing header, a malformed one, an unknown key or
   * session token, a time outside the window, a signature that does not match. Throws AWS's error for the
   * first that fails; resolves to the request's partition when it holds.
   */
  async check(request: WireRequest, now = Date.now()): Promise<Partition> {
    const headers = lowerCased(request.headers);
    const authorization = headers.authorization;
    if (authorization === undefined || authorization === "") throw new BatchError("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
    const parsed = parseAuthorization(authorization, headers);
    const credential = this.byKey.get(parsed.accessKeyId);
    const token = headers["x-amz-security-token"];
    if (!credential || (credential.sessionToken ?? undefined) !== token) {
      throw new BatchError("UnrecognizedClientException", "The security token included in the request is invalid.", 400);
    }
    checkTime(parsed.date, now, this.windowMs);
    await checkSignature(request, headers, parsed, credential);
    return Object.freeze({ accountId: credential.accountId ?? this.defaultAccountId, region: parsed.region });
  }
}

interface ParsedAuthorization {
  accessKeyId: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** The request's time, from X-Amz-Date or Date. */
  date: Date;
  amzDate: string;
}

/** The Authorization header's parts, or IncompleteSignatureException naming what is missing. */
function parseAuthorization(authorization: string, headers: Record<string, string>): ParsedAuthorization {
  const match = AUTHORIZATION.exec(authorization);
  const parts = new Map<string, string>();
  const problems: string[] = [];
  if (match) {
    for (const part of match[1].split(",")) {
      const trimmed = part.trim();
      const at = trimmed.indexOf("=");
      if (at < 0) {
        throw incomplete(`'${trimmed}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`);
      }
      parts.set(trimmed.slice(0, at), trimmed.slice(at + 1));
    }
  }
  for (const name of ["Credential", "Signature", "SignedHeaders"]) if (!parts.get(name)) problems.push(`Authorization header requires '${name}' parameter.`);
  const amzDate = headers["x-amz-date"] ?? headers.date;
  if (amzDate === undefined) problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (problems.length > 0) throw incomplete(`${problems.join(" ")} Authorization=${authorization}`);
  const scope = SCOPE.exec(parts.get("Credential") as string);
  if (!scope) throw incomplete(`Credential ${parts.get("Credential")} is not of the form <access key>/<yyyymmdd>/<region>/<service>/aws4_request. Authorization=${authorization}`);
  const signedHeaders = (parts.get("SignedHeaders") as string).split(";");
  if (!signedHeaders.includes("host")) throw incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  for (const name of signedHeaders) {
    if (headers[name] === undefined) throw incomplete(`'${name}' is named as a SignedHeader, but it does not exist in the HTTP request.`);
  }
  const date = parseAmzDate(amzDate as string);
  if (!date) throw incomplete(`The request's date ${amzDate} is not a valid X-Amz-Date (yyyyMMddTHHmmssZ) or HTTP date. Authorization=${authorization}`);
  return { accessKeyId: scope[1], region: scope[3], service: scope[4], signedHeaders, signature: parts.get("Signature") as string, date, amzDate: amzDate as string };
}

function incomplete(message: string): BatchError {
  return new BatchError("IncompleteSignatureException", message, 400);
}

function checkTime(date: Date, now: number, windowMs: number): void {
  const minutes = `${Math.round(windowMs / 60000)} min.`;
  if (date.getTime() < now - windowMs) {
    throw new BatchError("InvalidSignatureException", `Signature expired: ${amzFormat(date)} is now earlier than ${amzFormat(new Date(now - windowMs))} (${amzFormat(new Date(now))} - ${minutes})`, 400);
  }
  if (date.getTime() > now + windowMs) {
    throw new BatchError("InvalidSignatureException", `Signature not yet current: ${amzFormat(date)} is still later than ${amzFormat(new Date(now + windowMs))} (${amzFormat(new Date(now))} + ${minutes})`, 400);
  }
}

/** Signs the request again with the SDK's own signer, over the headers the client signed, and compares. */
async function checkSignature(request: WireRequest, headers: Record<string, string>, parsed: ParsedAuthorization, credential: FakeCredential): Promise<void> {
  const body = request.body ?? undefined;
  const declaredHash = headers["x-amz-content-sha256"];
  // The signer trusts a declared payload hash; the body must really have it.
  if (declaredHash !== undefined && declaredHash !== "UNSIGNED-PAYLOAD" && declaredHash !== sha256Hex(body ?? "")) {
    throw new BatchError("InvalidSignatureException", SIGNATURE_MISMATCH, 400);
  }
  const signedHeaders: Record<string, string> = {};
  for (const name of parsed.signedHeaders) signedHeaders[name] = headers[name];
  const signer = new SignatureV4({
    credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey, sessionToken: credential.sessionToken },
    region: parsed.region,
    service: parsed.service,
    sha256: NodeSha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  const unsigned: HttpRequest = { method: request.method.toUpperCase(), protocol: "https:", hostname: headers.host ?? "", path: request.path, query: queryOf(request.query), headers: signedHeaders, body };
  const signed = await signer.sign(unsigned, { signingDate: parsed.date, signableHeaders: new Set(parsed.signedHeaders) });
  const expected = /Signature=([0-9a-f]+)/.exec(signed.headers.authorization ?? signed.headers.Authorization ?? "")?.[1];
  if (expected === undefined || expected !== parsed.signature) throw new BatchError("InvalidSignatureException", SIGNATURE_MISMATCH, 400);
}

function queryOf(query: WireRequest["query"]): Record<string, string | string[] | null> {
  const result: Record<string, string | string[] | null> = {};
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) result[key] = value;
  return result;
}

function lowerCased(headers: WireRequest["headers"]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) result[name.toLowerCase()] = value;
  return result;
}

function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (match) {
    const [, y, mo, d, h, mi, s] = match.map(Number);
    return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function amzFormat(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The signer's hash: SHA-256, or HMAC-SHA-256 when given a secret, from node:crypto. */
class NodeSha256 implements Checksum {
  private readonly hash;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBuffer(secret));
  }

  update(data: Uint8Array): void {
    this.hash.update(data);
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    throw new Error("NodeSha256 is used once");
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
