// CSV as API Gateway's API key files use it: comma-separated, CRLF or LF line ends, and fields
// quoted with double quotes ("a,b", "" for a quote inside) or, as the guide allows for
// UsagePlanIds, single quotes ('a,b').

export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  for (;;) {
    // Start of a field: skip leading blanks only to see whether it is quoted.
    let j = i;
    while (j < n && (text[j] === ' ' || text[j] === '\t')) j++;
    let value = '';
    const q = text[j];
    if (q === '"' || q === "'") {
      j++;
      for (;;) {
        if (j >= n) break; // an unterminated quote runs to the end of the file
        const c = text[j]!;
        if (c === q) {
          if (text[j + 1] === q) {
            value += q;
            j += 2;
            continue;
          }
          j++;
          break;
        }
        value += c;
        j++;
      }
      // Anything between the closing quote and the delimiter is kept, as spreadsheets do.
      while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') value += text[j++];
    } else {
      j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') value += text[j++];
    }
    record.push(value);
    if (j >= n) {
      records.push(record);
      return records;
    }
    if (text[j] === ',') {
      i = j + 1;
      continue;
    }
    // end of line
    records.push(record);
    record = [];
    if (text[j] === '\r' && text[j + 1] === '\n') j++;
    i = j + 1;
    if (i >= n) return records;
  }
}
