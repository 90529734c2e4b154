/**
 * Streams the rows of an upload file (CSV or JSON Lines) one at a time, so a
 * file of any size is never held in memory: the reader pulls the next chunk
 * only when the consumer asks for the next row, which is what gives the upload
 * its backpressure (a slow X slows the reading, not the memory).
 */
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse';
import {
  type ColumnMap,
  csvRowFields,
  jsonRowFields,
  mapHeader,
  type RowFields,
} from './columns.ts';
import { UsageError } from './exit-codes.ts';

export type UploadFormat = 'csv' | 'jsonl';

/** One data row of the file. */
export interface SourceRow {
  /** 1-based line where the row starts (a quoted CSV cell may span lines). */
  line: number;
  /** Bytes of the file consumed so far (for progress). */
  bytes: number;
  /** The row as read: CSV cells, or the JSON line's text. Written to the reject file as is. */
  original: string[] | string;
  /** The recognised fields, or why the row cannot even be read. */
  fields: RowFields | { error: string };
}

export interface RowSource {
  format: UploadFormat;
  /** CSV only: the header row (available once the first row was read). */
  header(): readonly string[] | undefined;
  /** Column or key names that match no field; reported once, not an error. */
  ignored(): readonly string[];
  rows(): AsyncGenerator<SourceRow>;
}

/** `.jsonl`, `.ndjson` and `.json` are JSON Lines; everything else is CSV unless `format` says. */
export function detectFormat(path: string, format?: string): UploadFormat {
  if (format !== undefined) {
    if (format === 'csv' || format === 'jsonl') return format;
    throw new UsageError(`--format must be csv or jsonl, not "${format}"`);
  }
  const ext = extname(path).toLowerCase();
  return ext === '.jsonl' || ext === '.ndjson' || ext === '.json' ? 'jsonl' : 'csv';
}

export interface OpenRowsOptions {
  format: UploadFormat;
  /** CSV field delimiter, default `,`. */
  delimiter?: string;
}

export function openRows(path: string, options: OpenRowsOptions): RowSource {
  return options.format === 'csv' ? csvRows(path, options.delimiter ?? ',') : jsonlRows(path);
}

const LINE_BREAK = /\r\n|\r|\n/g;

function countLineBreaks(cells: readonly string[]): number {
  let count = 0;
  for (const cell of cells) count += cell.match(LINE_BREAK)?.length ?? 0;
  return count;
}

function csvRows(path: string, delimiter: string): RowSource {
  let header: string[] | undefined;
  let map: ColumnMap | undefined;
  return {
    format: 'csv',
    header: () => header,
    ignored: () => map?.ignored ?? [],
    async *rows() {
      const parser = createReadStream(path).pipe(
        parse({
          delimiter,
          bom: true,
          info: true,
          relax_column_count: true,
          skip_empty_lines: true,
        }),
      );
      for await (const item of parser as AsyncIterable<{
        record: string[];
        info: { lines: number; bytes: number };
      }>) {
        const { record, info } = item;
        // `info.lines` is the line the record ends on; a quoted cell may hold line breaks.
        const line = info.lines - countLineBreaks(record);
        if (header === undefined) {
          header = record;
          map = mapHeader(record);
          continue;
        }
        // Spreadsheets export trailing rows of empty cells: not data, not an error.
        if (record.every((cell) => cell.trim() === '')) continue;
        const fields =
          record.length === header.length
            ? csvRowFields(map as ColumnMap, record)
            : { error: `has ${record.length} fields, the header has ${header.length}` };
        yield { line, bytes: info.bytes, original: record, fields };
      }
      if (header === undefined) throw new UsageError(`${path} is empty (no header row)`);
    },
  };
}

function jsonlRows(path: string): RowSource {
  const ignored = new Set<string>();
  return {
    format: 'jsonl',
    header: () => undefined,
    ignored: () => [...ignored],
    async *rows() {
      const stream = createReadStream(path, { encoding: 'utf8' });
      let carry = '';
      let line = 0;
      let bytes = 0;
      const toRow = (text: string): SourceRow | undefined => {
        line += 1;
        bytes += Buffer.byteLength(text) + 1;
        const trimmed = text.replace(/^\uFEFF/, '').trim();
        if (trimmed === '') return undefined;
        let value: unknown;
        try {
          value = JSON.parse(trimmed);
        } catch {
          return { line, bytes, original: text, fields: { error: 'is not valid JSON' } };
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          return { line, bytes, original: text, fields: { error: 'is not a JSON object' } };
        }
        const picked = jsonRowFields(value as Record<string, unknown>);
        for (const key of picked.ignored) ignored.add(key);
        const fields = picked.conflict ? { error: picked.conflict } : picked.row;
        return { line, bytes, original: text, fields };
      };
      for await (const chunk of stream as AsyncIterable<string>) {
        const parts = (carry + chunk).split('\n');
        carry = parts.pop() ?? '';
        for (const part of parts) {
          const row = toRow(part.replace(/\r$/, ''));
          if (row) yield row;
        }
      }
      if (carry !== '') {
        const row = toRow(carry.replace(/\r$/, ''));
        if (row) yield row;
      }
    },
  };
}

/** Narrows a row's fields to the readable case. */
export function isUnreadable(fields: SourceRow['fields']): fields is { error: string } {
  return typeof (fields as { error?: unknown }).error === 'string';
}
