import type { JsonObject } from '../encoding/json.js';
import { DimError } from '../errors.js';

function treeError(message: string): never {
  throw new DimError('content.format', `content: ${message}`);
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * One value inside a container at `depth` (so the value itself is at `depth + 1`). Leaves are
 * checked here, inline, and only objects and arrays recurse: a content is mostly strings and
 * numbers, and a call per leaf cost more than the check.
 */
function checkMember(value: unknown, depth: number, maxDepth: number): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) treeError('a number is not finite');
      return;
    case 'object':
      if (value === null) return;
      if (Array.isArray(value)) checkArray(value, depth + 1, maxDepth);
      else checkObject(value, depth + 1, maxDepth);
      return;
    default:
      treeError(`a ${typeof value} is not a JSON value`);
  }
}

function checkArray(array: readonly unknown[], depth: number, maxDepth: number): void {
  if (depth >= maxDepth) treeError(`nested deeper than ${maxDepth} levels`);
  // An index loop, not the iterator: holes read as `undefined`, which is rejected either way.
  for (let i = 0; i < array.length; i++) checkMember(array[i], depth, maxDepth);
}

function checkObject(object: object, depth: number, maxDepth: number): void {
  if (depth >= maxDepth) treeError(`nested deeper than ${maxDepth} levels`);
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) treeError('an object is not a plain JSON object');
  // `for…in` walks V8's enum cache without allocating a key array (as `Object.keys` does); the
  // own-property test keeps it to exactly the keys `Object.keys` returns, even if something
  // added enumerable properties to Object.prototype.
  for (const key in object) {
    if (!hasOwn.call(object, key)) continue;
    if (key === '__proto__') treeError('a `__proto__` key is not allowed');
    checkMember((object as Record<string, unknown>)[key], depth, maxDepth);
  }
}

/**
 * Checks that a content object is plain JSON all the way down (what `JSON.parse` makes: no
 * bigint, function, symbol, `undefined`, non-finite number or class instance), nests at most
 * `maxDepth` levels (which also stops cycles; the object itself is level 0), and has no
 * `__proto__` key (a JSON parser makes it an own key; an `Object.assign` or a careless copy would
 * then set a prototype). Throws DimError('content.format').
 */
export function checkJsonTree(object: JsonObject, maxDepth: number): void {
  checkObject(object, 0, maxDepth);
}
