import { StringDecoder } from "node:string_decoder";

/** CloudWatch Logs' largest event; a longer line without a newline is split here. */
const MAX_LINE_BYTES = 256 * 1024;

/**
 * An attempt's stdout and stderr, cut into lines as they are read (each stream keeps its own partial
 * line), up to a byte budget for the attempt. Past the budget, one marker line says where the output was
 * cut; the rest is read and dropped, so the process never blocks on a full pipe and runs on.
 */
export class OutputCapture {
  private remaining: number;
  private cut = false;
  private readonly partial: Record<"stdout" | "stderr", string> = { stdout: "", stderr: "" };
  private readonly decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  /** The last line of stderr, for a start failure's reason. */
  lastErrorLine: string | undefined;

  constructor(
    private readonly maxBytes: number,
    private readonly emit: (line: string) => void,
  ) {
    this.remaining = maxBytes;
  }

  write(stream: "stdout" | "stderr", chunk: Buffer): void {
    if (this.cut) return;
    let kept = chunk;
    if (chunk.length > this.remaining) {
      kept = chunk.subarray(0, this.remaining);
      this.cut = true;
    }
    this.remaining -= kept.length;
    this.take(stream, this.decoders[stream].write(kept));
    if (this.cut) {
      this.flushStream("stdout");
      this.flushStream("stderr");
      this.line(`parlel-batch: output cut here: the attempt wrote more than ${this.maxBytes} bytes; the rest is not kept`);
    }
  }

  /** The partial lines left when the streams end. */
  flush(): void {
    if (this.cut) return;
    this.flushStream("stdout");
    this.flushStream("stderr");
  }

  private flushStream(stream: "stdout" | "stderr"): void {
    const rest = this.partial[stream] + this.decoders[stream].end();
    this.partial[stream] = "";
    if (rest !== "") this.line(rest, stream);
  }

  private take(stream: "stdout" | "stderr", text: string): void {
    let buffer = this.partial[stream] + text;
    for (let newline = buffer.indexOf("\n"); newline !== -1; newline = buffer.indexOf("\n")) {
      this.line(buffer.slice(0, newline), stream);
      buffer = buffer.slice(newline + 1);
    }
    while (Buffer.byteLength(buffer) > MAX_LINE_BYTES) {
      this.line(buffer.slice(0, MAX_LINE_BYTES / 4), stream);
      buffer = buffer.slice(MAX_LINE_BYTES / 4);
    }
    this.partial[stream] = buffer;
  }

  private line(text: string, stream?: "stdout" | "stderr"): void {
    const line = text.endsWith("\r") ? text.slice(0, -1) : text;
    if (stream === "stderr") this.lastErrorLine = line;
    this.emit(line);
  }
}
