/**
 * Spreadsheet formula injection (CSV injection): Excel, LibreOffice and Google Sheets run a
 * cell that starts with "=", "+", "-" or "@" (and some also after a leading tab or carriage
 * return) as a formula, so customer text such as `=HYPERLINK("http://evil","click")` in an
 * export would become a live link or worse. An export prefixes such text with an apostrophe,
 * which spreadsheets take as "this is text" and do not show; an import removes it again.
 *
 * Text that already starts with apostrophes before such a character gets one more, so the
 * round trip is exact: "'=x" is written "''=x" and read back as "'=x". Text of any other shape
 * is written as it is. Numbers written as numbers (amounts, scores) are never escaped.
 */
const FORMULA_LIKE = /^'*[=+\-@\t\r]/;

/** The text to write into a text cell. */
export function escapeFormula(text: string): string {
  return FORMULA_LIKE.test(text) ? `'${text}` : text;
}

/** A text cell of an exported file back to the text it was written from. */
export function unescapeFormula(cell: string): string {
  return cell.startsWith("'") && FORMULA_LIKE.test(cell.slice(1)) ? cell.slice(1) : cell;
}
