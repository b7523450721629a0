// The colours of the human renderers, from a chalk instance of our own (never chalk's default,
// which decides by itself from the environment): the caller decides whether to colour.
import { Chalk } from 'chalk';
import { plain, type Paint } from './format.js';

/** What each kind of text is painted with. Every entry is the identity when colour is off. */
export interface Palette {
  /** Message type (RTM_NEWLINK). */
  type: Paint;
  /** Errors: NLMSG_ERROR with errno < 0 and its fields. */
  error: Paint;
  /** A successful ACK. */
  ok: Paint;
  /** Text values (quoted strings). */
  string: Paint;
  /** Attributes the description does not know. */
  unknown: Paint;
  /** Malformed parts. */
  malformed: Paint;
  /** Overrun and dump-interrupted notes. */
  warn: Paint;
  /** Secondary text: column headings, raw numbers, summary. */
  dim: Paint;
  /** Attribute names that open a nest. */
  nest: Paint;
}

/** A palette with colour on (basic 16-colour ANSI, which every terminal has) or off. */
export function palette(color: boolean): Palette {
  if (!color) {
    return { type: plain, error: plain, ok: plain, string: plain, unknown: plain, malformed: plain, warn: plain, dim: plain, nest: plain };
  }
  const c = new Chalk({ level: 1 });
  return {
    type: (s) => c.bold(s),
    error: (s) => c.red(s),
    ok: (s) => c.green(s),
    string: (s) => c.green(s),
    unknown: (s) => c.yellow(s),
    malformed: (s) => c.red.bold(s),
    warn: (s) => c.yellow(s),
    dim: (s) => c.dim(s),
    nest: (s) => c.bold(s),
  };
}
