// The renderers by output format, as the CLI's -o/--output names them.
import type { StructSpec } from '../families/schema.js';
import type { DecodedMessage } from '../model/decode.js';
import { annotatedMnlRenderer, mnlRenderer } from './annotated.js';
import { jsonRenderer } from './json.js';
import type { Renderer } from './record.js';
import { tableRenderer } from './table.js';
import { textRenderer } from './text.js';

export type { DumpInterruptedRecord, MessageRecord, OutputRecord, OverrunRecord, Renderer, SummaryRecord } from './record.js';
export { annotateMnl, annotatedMnlRenderer, mnlRenderer, type AnnotatedMnlOptions, type MnlRendererOptions } from './annotated.js';
export { jsonRenderer, recordToObject, stringifyJson, writeJsonLine, type JsonRendererOptions, type StringifyOptions } from './json.js';
export { tableRenderer, type TableRendererOptions } from './table.js';
export { attrText, formatMessageText, formatNoteText, textRenderer, type TextRendererOptions } from './text.js';

/** The output formats (-o). */
export type OutputFormat = 'table' | 'json' | 'text' | 'mnl' | 'mnl-annotated';

/** The output formats, in the order the CLI lists them. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'text', 'mnl', 'mnl-annotated'];

/** Options of {@link createRenderer}; each format uses those that apply to it. */
export interface RendererOptions {
  /** ANSI colour (table, text, mnl, mnl-annotated; JSON never). Default false. */
  color?: boolean;
  /** json: indent each object. */
  pretty?: boolean;
  /** json: add every attribute's type number, flags, offset and bytes (attr_list). */
  lossless?: boolean;
  /** table: terminal width; undefined for no limit. */
  width?: number;
  /** table: lines a long value may take before it is cut. Default 4. */
  maxValueLines?: number;
  /** mnl-annotated: fixed-header layout, to name fields on their words. */
  structLayout?: (decoded: DecodedMessage) => StructSpec | undefined;
}

/** A renderer for an output format. An unknown format throws a RangeError (a caller's bug). */
export function createRenderer(format: OutputFormat, options: RendererOptions = {}): Renderer {
  const color = options.color === true;
  switch (format) {
    case 'table':
      return tableRenderer({ color, width: options.width, maxValueLines: options.maxValueLines });
    case 'json':
      return jsonRenderer({ pretty: options.pretty, lossless: options.lossless });
    case 'text':
      return textRenderer({ color });
    case 'mnl':
      return mnlRenderer({ color });
    case 'mnl-annotated':
      return annotatedMnlRenderer({ color, structLayout: options.structLayout });
    default:
      throw new RangeError(`unknown output format ${JSON.stringify(format)}; expected one of ${OUTPUT_FORMATS.join(', ')}`);
  }
}
