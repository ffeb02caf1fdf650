// Text from the API (its name, paths, the URL asked for) placed into generated code: as a
// literal, JSON (valid JavaScript and TypeScript, everything escaped); inside a comment, with
// anything that could end the comment defused, so no API name can become code in a client.

export const lit = (v: unknown): string => JSON.stringify(v);

/** Safe inside a block or a line comment: no `*\/`, no line terminator (U+2028 and U+2029 end a line in JavaScript). */
export function commentText(text: string): string {
  return text.replace(/\*\//g, '*\\/').replace(/[\r\n\u2028\u2029]+/g, ' ');
}
