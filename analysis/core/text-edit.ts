/**
 * The one edit type every analysis plans and every rule and codemod applies: rule suggestions
 * and codemod rewrites are the same edits, so what the editor offers is what the codemod writes.
 */

/** Replace `[start, end)` of the original text with `text`. Edits of one file never overlap. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}
