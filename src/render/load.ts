// A renderer by output format, loaded when asked for: a command prints in one format, and
// the human views (tables, colour, the libmnl layout) cost start-up time that NDJSON does not.
import type { StructSpec } from '../families/schema.js';
import type { DecodedMessage } from '../model/decode.js';
import type { Renderer } from './record.js';

/** The output formats (-o). */
export type OutputFormat = 'table' | 'json' | 'text' | 'mnl' | 'mnl-annotated';

/** The output formats, in the order the CLI lists them. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'text', 'mnl', 'mnl-annotated'];

/** Options of {@link loadRenderer}; each format uses those that apply to it. */
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

/**
 * A renderer for an output format, its module loaded now. An unknown format rejects with a
 * RangeError (a caller's bug).
 */
export async function loadRenderer(format: OutputFormat, options: RendererOptions = {}): Promise<Renderer> {
  const color = options.color === true;
  switch (format) {
    case 'table':
      return (await import('./table.js')).tableRenderer({ color, width: options.width, maxValueLines: options.maxValueLines });
    case 'json':
      return (await import('./json.js')).jsonRenderer({ pretty: options.pretty, lossless: options.lossless });
    case 'text':
      return (await import('./text.js')).textRenderer({ color });
    case 'mnl':
      return (await import('./annotated.js')).mnlRenderer({ color });
    case 'mnl-annotated':
      return (await import('./annotated.js')).annotatedMnlRenderer({ color, structLayout: options.structLayout });
    default:
      throw new RangeError(`unknown output format ${JSON.stringify(format)}; expected one of ${OUTPUT_FORMATS.join(', ')}`);
  }
}
