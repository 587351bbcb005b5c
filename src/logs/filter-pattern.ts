import { invalidParameter } from "./errors";

/**
 * FilterLogEvents' `filterPattern`, the part of CloudWatch Logs' syntax for unstructured text: terms that
 * must all appear (`ERROR Exception`), `?` terms of which one must appear (`?ERROR ?WARN`), `-` terms that
 * must not (`ERROR -Exiting`), and quoted phrases (`"Internal Server Error"`). Terms match case-sensitively
 * anywhere in the message. JSON (`{ … }`), space-delimited (`[ … ]`) and regex (`%…%`) patterns are refused
 * rather than matched wrongly.
 */
export function compileFilterPattern(pattern: string | undefined): (message: string) => boolean {
  const text = (pattern ?? "").trim();
  if (text === "") return () => true;
  if (text.startsWith("{") || text.startsWith("[") || /(^|\s)[?-]?%/.test(text)) {
    throw invalidParameter(`parlel-batch does not support this filter pattern yet: ${text}. It supports terms, "quoted phrases", ?optional and -excluded terms.`);
  }
  const all: string[] = [];
  const any: string[] = [];
  const none: string[] = [];
  for (const { term, mark } of terms(text)) {
    if (mark === "?") any.push(term);
    else if (mark === "-") none.push(term);
    else all.push(term);
  }
  return (message) =>
    all.every((term) => message.includes(term)) &&
    (any.length === 0 || any.some((term) => message.includes(term))) &&
    !none.some((term) => message.includes(term));
}

function* terms(text: string): Generator<{ term: string; mark: string }> {
  const token = /([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;
  for (let match = token.exec(text); match !== null; match = token.exec(text)) {
    const [whole, mark, quoted, bare] = match;
    if (quoted === undefined && bare.includes('"')) throw invalidParameter(`Invalid filter pattern: unbalanced quote in ${whole}.`);
    const term = quoted !== undefined ? quoted.replace(/\\(.)/g, "$1") : bare;
    if (term !== "") yield { term, mark };
  }
}
