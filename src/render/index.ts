// The renderers by output format, as the CLI's -o/--output names them.

export type { DumpInterruptedRecord, MessageRecord, OutputRecord, OverrunRecord, Renderer, SummaryRecord } from './record.js';
export { annotateMnl, annotatedMnlRenderer, mnlRenderer, type AnnotatedMnlOptions, type MnlRendererOptions } from './annotated.js';
export { jsonRenderer, recordToObject, stringifyJson, writeJsonLine, type JsonRendererOptions, type StringifyOptions } from './json.js';
export { tableRenderer, type TableRendererOptions } from './table.js';
export { attrText, formatMessageText, formatNoteText, textRenderer, type TextRendererOptions } from './text.js';
export { buildRenderer, loadRenderer, OUTPUT_FORMATS, type OutputFormat, type RendererModules, type RendererOptions } from './load.js';

import * as annotated from './annotated.js';
import * as json from './json.js';
import { buildRenderer, type OutputFormat, type RendererOptions } from './load.js';
import type { Renderer } from './record.js';
import * as table from './table.js';
import * as text from './text.js';

/**
 * A renderer for an output format, synchronously (this module has loaded them all). An unknown
 * format throws a RangeError (a caller's bug).
 */
export function createRenderer(format: OutputFormat, options: RendererOptions = {}): Renderer {
  return buildRenderer(format, options, { table, json, text, annotated });
}
