import type { JsonObject, JsonValue } from '../encoding/json.js';
import { DimError } from '../errors.js';
import { hasOwn, isObject, jsonEqual, own, renameField, withField, withoutField } from './_fields.js';
import { documentFromWire, documentToWire } from './document.js';
import { metaFromWire, metaToWire } from './meta.js';
import { didFromWire } from './did.js';

/**
 * The documents command (wire spec §6.2, §7 item 8, §11 item 12). Current form: `command:
 * "documents"`, `documents: [doc, …]`. Deployed apps send the legacy form: `command`/`cmd`
 * `"document"`, a single `document` (the newest), the `documents` array dropped when it had one
 * entry. Even older: `command: "profile"` with `profile` (the document object, or its data string
 * with the signature at the top level).
 */

/** Command names that mean "documents" on input. */
export const DOCUMENTS_COMMAND_NAMES: readonly string[] = ['documents', 'document', 'profile'];

function fail(message: string): never {
  throw new DimError('command.format', `documents command: ${message}`);
}

/** A document without a subject takes the command's (2026 documents omit it, §9). */
function withSubject(doc: JsonValue, did: JsonValue | undefined): JsonValue {
  if (!isObject(doc)) return doc;
  const canonical = documentFromWire(doc);
  if (did === undefined || hasOwn(canonical, 'did')) return canonical;
  return withField(canonical, 'did', did);
}

/** Legacy `profile` (§6.2 "Even older") → `document`. */
function profileToDocument(json: JsonObject): JsonObject {
  if (!hasOwn(json, 'profile')) return json;
  if (hasOwn(json, 'document')) fail('both `profile` and `document`');
  const profile = json['profile']!;
  if (typeof profile !== 'string') return renameField(json, 'profile', 'document');
  // v1.0: the document's data string is `profile`, its signature sits at the top level
  const doc: [string, JsonValue][] = [];
  const did = own(json, 'did') ?? own(json, 'ID');
  if (did !== undefined) doc.push(['did', did]);
  doc.push(['data', profile]);
  const signature = own(json, 'signature');
  if (signature !== undefined) doc.push(['signature', signature]);
  return withoutField(renameField(json, 'profile', 'document', Object.fromEntries(doc)), 'signature');
}

/**
 * Incoming: command name → `documents`; `profile`/`document` → `documents` array; `ID` → `did` on
 * the command and on every document; documents without a subject take the command's; `meta`
 * canonical (§3.4). A legacy `document` that repeats an entry of `documents` is dropped; one
 * that does not is appended (nothing is lost).
 * Throws DimError('command.format' | 'document.invalid' | 'meta.type').
 */
export function documentsCommandFromWire(json: JsonObject): JsonObject {
  let out = withField(json, 'command', 'documents');
  out = profileToDocument(out);
  out = didFromWire(out, 'command.format');
  const did = own(out, 'did');
  const single = own(out, 'document');
  if (single !== undefined) {
    if (!isObject(single)) fail('`document` must be an object');
    const doc = withSubject(single, did);
    const list = own(out, 'documents');
    if (list === undefined) {
      out = renameField(out, 'document', 'documents', [doc]);
    } else {
      if (!Array.isArray(list)) fail('`documents` must be an array');
      const docs = list.map((d) => withSubject(d, did));
      out = withoutField(out, 'document');
      out = withField(out, 'documents', docs.some((d) => jsonEqual(d, doc)) ? docs : [...docs, doc]);
    }
  } else {
    const list = own(out, 'documents');
    if (Array.isArray(list))
      out = withField(
        out,
        'documents',
        list.map((d) => withSubject(d, did)),
      );
  }
  const meta = own(out, 'meta');
  if (isObject(meta)) out = withField(out, 'meta', metaFromWire(meta));
  return out;
}

/** The signing time of a document: `time` inside its `data` JSON text (§3.6); -∞ when unreadable. */
function documentTime(doc: JsonValue): number {
  if (!isObject(doc) || typeof doc['data'] !== 'string') return -Infinity;
  try {
    const props: unknown = JSON.parse(doc['data']);
    if (typeof props === 'object' && props !== null && 'time' in props) {
      const time = Number((props as { time: unknown }).time);
      if (Number.isFinite(time)) return time;
    }
  } catch {
    // an unreadable data string simply is not the newest
  }
  return -Infinity;
}

/**
 * Outgoing, the legacy form deployed apps send (§6.2): `command` (and `cmd`, if present)
 * `"document"`; `document` = the newest entry of `documents` (by `time`; the later entry on a
 * tie), put where `documents` was when it was the only entry, else appended after the array;
 * every document with `did` and `ID`; `meta` with integer `type` and `version`. The caller adds
 * `cmd` and the command's `ID` afterwards (see `contentToWire`).
 */
export function documentsCommandToWire(json: JsonObject): JsonObject {
  let out = withField(json, 'command', 'document');
  if (hasOwn(out, 'cmd')) out = withField(out, 'cmd', 'document');
  const did = own(out, 'did') ?? own(out, 'ID');
  const list = own(out, 'documents');
  if (Array.isArray(list) && list.length > 0) {
    const docs = list.map((d) => {
      const doc = withSubject(d, did);
      return isObject(doc) ? documentToWire(doc) : doc;
    });
    let newest = 0;
    docs.forEach((d, i) => {
      if (documentTime(d) >= documentTime(docs[newest]!)) newest = i;
    });
    const last = docs[newest]!;
    if (isObject(last)) {
      out =
        docs.length === 1
          ? renameField(out, 'documents', 'document', last)
          : withField(withField(out, 'documents', docs), 'document', last);
    }
  }
  const meta = own(out, 'meta');
  if (isObject(meta)) out = withField(out, 'meta', metaToWire(meta));
  return out;
}
