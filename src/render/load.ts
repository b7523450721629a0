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

/** The modules renderers come from (mnl and mnl-annotated share one). */
export interface RendererModules {
  table: typeof import('./table.js');
  json: typeof import('./json.js');
  text: typeof import('./text.js');
  annotated: typeof import('./annotated.js');
}

/** Which module each format's renderer is in. */
const MODULE_OF: Readonly<Record<OutputFormat, keyof RendererModules>> = { table: 'table', json: 'json', text: 'text', mnl: 'annotated', 'mnl-annotated': 'annotated' };

const IMPORTS: { readonly [K in keyof RendererModules]: () => Promise<RendererModules[K]> } = {
  table: () => import('./table.js'),
  json: () => import('./json.js'),
  text: () => import('./text.js'),
  annotated: () => import('./annotated.js'),
};

/**
 * The renderer for a format, from its module in `modules` (the one place that maps formats and
 * options to renderers; createRenderer passes every module, loadRenderer the one it loaded).
 * An unknown format throws a RangeError (a caller's bug).
 */
export function buildRenderer(format: OutputFormat, options: RendererOptions, modules: Partial<RendererModules>): Renderer {
  const color = options.color === true;
  switch (format) {
    case 'table':
      return modules.table!.tableRenderer({ color, width: options.width, maxValueLines: options.maxValueLines });
    case 'json':
      return modules.json!.jsonRenderer({ pretty: options.pretty, lossless: options.lossless });
    case 'text':
      return modules.text!.textRenderer({ color });
    case 'mnl':
      return modules.annotated!.mnlRenderer({ color });
    case 'mnl-annotated':
      return modules.annotated!.annotatedMnlRenderer({ color, structLayout: options.structLayout });
    default:
      throw new RangeError(`unknown output format ${JSON.stringify(format)}; expected one of ${OUTPUT_FORMATS.join(', ')}`);
  }
}

/**
 * A renderer for an output format, loading only its module (what the CLI uses: a command
 * prints in one format). An unknown format rejects with a RangeError.
 */
export async function loadRenderer(format: OutputFormat, options: RendererOptions = {}): Promise<Renderer> {
  if (!Object.hasOwn(MODULE_OF, format)) return buildRenderer(format, options, {});
  const key = MODULE_OF[format];
  return buildRenderer(format, options, { [key]: await IMPORTS[key]() });
}
