import { encodeBase64 } from '../encoding/base64.js';
import type { JsonObject, JsonValue } from '../encoding/json.js';
import { checkNumber, checkObject, checkPnf, checkString, fail, field, type Check } from './_check.js';
import { createContent, type Content, type ContentFields, type ContentOptions } from './content.js';
import { ContentType, FILE_CONTENT_TYPES } from './content-type.js';

/**
 * File contents (types 0x10 file, 0x12 image, 0x14 audio, 0x16 video; wire spec §5, §5.1):
 * `data` (Base64, small files sent inline) or `URL` (uploaded, normally encrypted with a fresh
 * key per file), `filename`, `key` (the symmetric key dict that decrypts the download; written
 * as `key` + `password` by `contentToWire`), `IV` (Base64, when the file was encrypted with a
 * random IV). App extras: `length` (bytes), `duration` (audio seconds), `title` (video).
 * A URL-only file with `key` `{"algorithm":"PLAIN"}` is not encrypted.
 */
export type FileContent = Content & {
  readonly type: number;
  readonly filename?: string;
  readonly URL?: string;
  /** Base64 of the file bytes. */
  readonly data?: string;
  readonly key?: JsonObject;
  readonly IV?: string;
  readonly length?: number;
};

export type ImageContent = FileContent & {
  readonly type: typeof ContentType.IMAGE;
  /** PNF (§5.1), usually a `data:image/jpeg;base64,…` string. */
  readonly thumbnail?: string | JsonObject;
};

export type AudioContent = FileContent & {
  readonly type: typeof ContentType.AUDIO;
  /** Speech-recognised text. */
  readonly text?: string;
  readonly duration?: number;
};

export type VideoContent = FileContent & {
  readonly type: typeof ContentType.VIDEO;
  /** PNF (§5.1). */
  readonly snapshot?: string | JsonObject;
  readonly title?: string;
};

/** File fields for the constructors; `data` is bytes here and Base64 in the content. */
export interface FileFields {
  readonly filename?: string;
  readonly URL?: string;
  readonly data?: Uint8Array;
  readonly key?: JsonObject;
  /** Base64 IV the file bytes were encrypted with. */
  readonly IV?: string;
  readonly length?: number;
}

function fileFields(fields: FileFields): ContentFields {
  if (fields.data !== undefined && !(fields.data instanceof Uint8Array)) {
    throw new TypeError('data: expected a Uint8Array');
  }
  if (fields.URL === undefined && fields.data === undefined && fields.filename === undefined) {
    throw new TypeError('a file content needs `URL`, `data` or `filename`');
  }
  return {
    filename: fields.filename,
    URL: fields.URL,
    data: fields.data === undefined ? undefined : encodeBase64(fields.data),
    key: fields.key,
    IV: fields.IV,
    length: fields.length,
  };
}

export function createFileContent(fields: FileFields, options: ContentOptions = {}): FileContent {
  return createContent(ContentType.FILE, fileFields(fields), options) as FileContent;
}

export function createImageContent(
  fields: FileFields & { readonly thumbnail?: string | JsonObject },
  options: ContentOptions = {},
): ImageContent {
  return createContent(
    ContentType.IMAGE,
    { ...fileFields(fields), thumbnail: fields.thumbnail },
    options,
  ) as ImageContent;
}

export function createAudioContent(
  fields: FileFields & { readonly text?: string; readonly duration?: number },
  options: ContentOptions = {},
): AudioContent {
  const extra: ContentFields = { text: fields.text, duration: fields.duration };
  return createContent(ContentType.AUDIO, { ...fileFields(fields), ...extra }, options) as AudioContent;
}

export function createVideoContent(
  fields: FileFields & { readonly snapshot?: string | JsonObject; readonly title?: string },
  options: ContentOptions = {},
): VideoContent {
  const extra: ContentFields = { snapshot: fields.snapshot, title: fields.title };
  return createContent(ContentType.VIDEO, { ...fileFields(fields), ...extra }, options) as VideoContent;
}

/** Any of the four file types. */
export function isFileContent(content: Content): content is FileContent {
  return FILE_CONTENT_TYPES.includes(content.type);
}

export function isImageContent(content: Content): content is ImageContent {
  return content.type === ContentType.IMAGE;
}

export function isAudioContent(content: Content): content is AudioContent {
  return content.type === ContentType.AUDIO;
}

export function isVideoContent(content: Content): content is VideoContent {
  return content.type === ContentType.VIDEO;
}

const present = (json: JsonObject, name: string): boolean => field(json, name) !== undefined;

export function checkFile(ck: Check, json: JsonObject): void {
  const url = checkString(ck, json, 'URL');
  checkString(ck, json, 'filename');
  checkString(ck, json, 'data');
  checkObject(ck, json, 'key');
  checkString(ck, json, 'IV');
  checkNumber(ck, json, 'length');
  if (url === undefined && !present(json, 'data') && !present(json, 'filename')) {
    fail(ck, 'needs `URL`, `data` or `filename`');
  }
  const type: JsonValue | undefined = json['type'];
  if (type === ContentType.IMAGE) checkPnf(ck, json, 'thumbnail');
  if (type === ContentType.AUDIO) {
    checkString(ck, json, 'text');
    checkNumber(ck, json, 'duration');
  }
  if (type === ContentType.VIDEO) {
    checkPnf(ck, json, 'snapshot');
    checkString(ck, json, 'title');
  }
  // 2018 image contents carried a `snapshot` too (§5 table)
  if (type === ContentType.IMAGE) checkPnf(ck, json, 'snapshot');
}
