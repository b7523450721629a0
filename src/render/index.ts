// The renderers by output format, as the CLI's -o/--output names them.

export type { DumpInterruptedRecord, MessageRecord, OutputRecord, OverrunRecord, Renderer, SummaryRecord } from './record.js';
export { annotateMnl, annotatedMnlRenderer, mnlRenderer, type AnnotatedMnlOptions, type MnlRendererOptions } from './annotated.js';
export { jsonRenderer, recordToObject, stringifyJson, writeJsonLine, type JsonRendererOptions, type StringifyOptions } from './json.js';
export { tableRenderer, type TableRendererOptions } from './table.js';
export { attrText, formatMessageText, formatNoteText, textRenderer, type TextRendererOptions } from './text.js';
export { loadRenderer, OUTPUT_FORMATS, type OutputFormat, type RendererOptions } from './load.js';
