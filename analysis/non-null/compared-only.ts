import ts from 'typescript';

import { isAssignmentTarget } from '../core/side-effects.js';
import { isDeclaredInStandardLibrary } from '../core/standard-library.js';
import { skipTransparentUp, unwrapParentheses } from '../core/transparent-syntax.js';

/**
 * `d.deviceId !== client.getDeviceId()!`, `states.includes(direction!)`, `rooms.get(id!)`: the
 * asserted value is only compared, or looked up. A missing value then makes the comparison false or
 * the lookup miss, exactly as an unknown value would; nothing throws later and no wrong value is
 * kept, so a check would only restate what the comparison already does.
 *
 * A key read with is a lookup too: `eventsByThread[threadId!]?.push(e)` reads the entry named
 * `"undefined"` when the key is missing, which is absent unless a write with a missing key put it
 * there, and that write is reported where it happens. Writing with the key (`o[k!] = v`, `o[k!]++`)
 * is storing.
 *
 * Lookups count only on the standard library's own methods, found through their declarations:
 * `includes`/`indexOf`/`lastIndexOf` of arrays and strings, and `has`/`get`/`delete` of `Map`,
 * `Set` and their weak and read-only forms. Storing (`set`, `add`, `push`) is not a lookup: a
 * missing value stored is found missing later, far from here, which is what the rule is about.
 */
export function isComparedOnly(assertion: ts.NonNullExpression, program: ts.Program): boolean {
  const use = skipTransparentUp(assertion);
  const parent = use.parent;
  if (ts.isBinaryExpression(parent)) {
    return COMPARISONS.has(parent.operatorToken.kind);
  }
  if (ts.isElementAccessExpression(parent) && parent.argumentExpression === use) {
    return !isAssignmentTarget(parent);
  }
  if (ts.isCallExpression(parent) && parent.arguments[0] === use) {
    const callee = unwrapParentheses(parent.expression);
    if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.name)) {
      return false;
    }
    const owners = LOOKUP_METHODS.get(callee.name.text);
    return owners !== undefined && isDeclaredInStandardLibrary(callee.name, program, owners);
  }
  return false;
}

const COMPARISONS = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

const SEARCHABLE = new Set(['Array', 'ReadonlyArray', 'String']);
const KEYED = new Set(['Map', 'ReadonlyMap', 'WeakMap', 'Set', 'ReadonlySet', 'WeakSet']);

const LOOKUP_METHODS = new Map<string, ReadonlySet<string>>([
  ['includes', SEARCHABLE],
  ['indexOf', SEARCHABLE],
  ['lastIndexOf', SEARCHABLE],
  ['has', KEYED],
  ['get', KEYED],
  ['delete', KEYED],
]);
