import { XMLParser, XMLValidator } from "fast-xml-parser";

/**
 * Parsing of WeChat push bodies (plain mode, the safe-mode envelope, and the decrypted inner
 * message). The rules, all of which fail with WechatXmlError so the HTTP layer can answer 400:
 *
 * - The body is limited to `maxBytes` UTF-8 bytes (64 KiB by default), checked before parsing.
 * - Any `<!DOCTYPE` or `<!ENTITY` outside CDATA (in any letter case) is refused outright: WeChat
 *   never sends one, and it is how billion-laughs and external-entity payloads start; inside
 *   CDATA it is a customer's text and stays data. The parser's own entity processing is off as well, so nothing is expanded.
 * - The only entities decoded are the five XML predefines it cannot do without (`&lt;` `&gt;`
 *   `&amp;` `&quot;` `&apos;`) and numeric character references, by one non-recursive
 *   replacement in plain text; other `&name;` sequences stay as written. CDATA is taken as is.
 * - The document must be well formed with exactly one root element, `<xml>`.
 * - Values are never converted: `MsgId` 6054768590064713728 and `CreateTime` stay exact strings.
 *   Whitespace is kept (no trimming); whitespace between elements is dropped.
 * - Each child element of `<xml>` becomes one string field. A child that itself holds elements
 *   (e.g. `SendPicsInfo`, `ScanCodeInfo` of some menu events) is kept as a JSON string of
 *   `{ name: text | nested object | [repeats] }`; attributes are ignored everywhere.
 * - A field name appearing twice at the top level is refused (ambiguous input), and so are the
 *   element names `__proto__`, `constructor` and `prototype` (fast-xml-parser's own guard).
 */

export class WechatXmlError extends Error {
  override readonly name = "WechatXmlError";
}

export interface ParseWechatXmlOptions {
  /** Largest accepted body in UTF-8 bytes. */
  maxBytes?: number;
}

const FORBIDDEN_DECLARATION = /<!\s*(?:DOCTYPE|ENTITY)/i;
const CDATA_SECTION = /<!\[CDATA\[[\s\S]*?\]\]>/g;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
  cdataPropName: "#cdata",
  textNodeName: "#text",
});

const PREDEFINED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** One pass, no recursion: the output is never scanned again, so nothing can expand. */
function decodeText(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));/g, (whole, dec?: string, hex?: string, name?: string) => {
    if (name) return PREDEFINED[name] ?? whole;
    const code = dec ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? "", 16);
    const valid = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0x10ffff && code !== 0xfffe && code !== 0xffff);
    return valid ? String.fromCodePoint(code) : whole;
  });
}

/** A node of fast-xml-parser's preserveOrder output: `{ tag: children }` or `{ "#text": value }`. */
type OrderedNode = Record<string, unknown>;
type Simplified = string | { [name: string]: Simplified | Simplified[] };

function isNodeList(value: unknown): value is OrderedNode[] {
  return Array.isArray(value) && value.every((n) => typeof n === "object" && n !== null && !Array.isArray(n));
}

/** The element name of a node, or undefined for text, CDATA and comments. */
function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ":@" && k !== "#text" && k !== "#cdata");
}

function textOf(node: OrderedNode): string | undefined {
  if ("#text" in node) return decodeText(String(node["#text"]));
  if ("#cdata" in node) {
    const inner = node["#cdata"];
    if (!isNodeList(inner)) return "";
    return inner.map((n) => ("#text" in n ? String(n["#text"]) : "")).join("");
  }
  return undefined;
}

function childrenOf(node: OrderedNode, name: string): OrderedNode[] {
  const children = node[name];
  if (!isNodeList(children)) throw new WechatXmlError(`unexpected parser output for <${name}>`);
  return children;
}

/** Text content when an element holds only text and CDATA, otherwise an object of its elements. */
function simplify(children: OrderedNode[]): Simplified {
  const elements = children.filter((c) => elementName(c) !== undefined);
  if (elements.length === 0) return children.map((c) => textOf(c) ?? "").join("");
  const fields = new Map<string, Simplified | Simplified[]>();
  for (const child of elements) {
    const name = elementName(child) as string;
    const value = simplify(childrenOf(child, name));
    const seen = fields.get(name);
    if (seen === undefined) fields.set(name, value);
    else if (Array.isArray(seen)) seen.push(value);
    else fields.set(name, [seen, value]);
  }
  // fromEntries defines own properties: no field name can reach a prototype.
  return Object.fromEntries(fields);
}

/**
 * Parses a WeChat XML body into flat string fields (see the rules above). Throws WechatXmlError
 * for an oversized, malformed, DOCTYPE-carrying or non-`<xml>` body.
 */
export function parseWechatXml(body: string, { maxBytes = 64 * 1024 }: ParseWechatXmlOptions = {}): Record<string, string> {
  if (typeof body !== "string") throw new WechatXmlError("body must be a string");
  // A UTF-8 encoding is never shorter than the string's UTF-16 length: cheap early exit.
  if (body.length > maxBytes || Buffer.byteLength(body, "utf8") > maxBytes) {
    throw new WechatXmlError(`body exceeds ${maxBytes} bytes`);
  }
  // Customers may well type "<!DOCTYPE html>" in a chat message: text inside CDATA is data.
  if (FORBIDDEN_DECLARATION.test(body.replace(CDATA_SECTION, ""))) throw new WechatXmlError("DOCTYPE and ENTITY declarations are not allowed");

  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    const where = typeof col === "number" ? `line ${line}, column ${col}` : `line ${line}`;
    throw new WechatXmlError(`malformed XML: ${msg} (${where})`);
  }

  let tree: unknown;
  try {
    tree = parser.parse(body);
  } catch (error) {
    throw new WechatXmlError(`malformed XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isNodeList(tree)) throw new WechatXmlError("malformed XML: unexpected parser output");

  const roots = tree.filter((n) => elementName(n) !== undefined);
  const strayText = tree.some((n) => (textOf(n) ?? "").trim() !== "");
  if (roots.length !== 1 || strayText) throw new WechatXmlError("malformed XML: expected exactly one root element");
  const root = roots[0] as OrderedNode;
  const rootName = elementName(root) as string;
  if (rootName !== "xml") throw new WechatXmlError(`root element must be <xml>, got <${rootName}>`);

  const fields = new Map<string, string>();
  for (const child of childrenOf(root, rootName)) {
    const name = elementName(child);
    if (name === undefined) continue; // whitespace, stray text or comments between fields
    if (fields.has(name)) throw new WechatXmlError(`duplicate field <${name}>`);
    const value = simplify(childrenOf(child, name));
    fields.set(name, typeof value === "string" ? value : JSON.stringify(value));
  }
  return Object.fromEntries(fields);
}
