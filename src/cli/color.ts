// The one place that decides whether output is coloured. Order: the --color flag, then
// NO_COLOR, then FORCE_COLOR / CLICOLOR_FORCE (and CLICOLOR=0), then whether that stream is a
// terminal whose TERM is not "dumb". Decided separately for stdout and stderr.

/**
 * The styles of help and error lines, as basic ANSI SGR codes (what every colour terminal has).
 * Written out rather than loaded from chalk: every command prints through here, and the
 * renderers' palette, which nests styles, is loaded only by the views that colour.
 */
export const ansi = {
  bold: sgr('\x1b[1m', '\x1b[22m'),
  cyan: sgr('\x1b[36m', '\x1b[39m'),
  green: sgr('\x1b[32m', '\x1b[39m'),
  yellow: sgr('\x1b[33m', '\x1b[39m'),
  redBold: sgr('\x1b[31m\x1b[1m', '\x1b[22m\x1b[39m'),
};

/**
 * A style as chalk applies one: nothing around an empty string, and closed before each line
 * break and opened again after it, so a pager or `less -R` never carries it to the next line.
 */
function sgr(open: string, close: string): (s: string) => string {
  return (s) => (s === '' ? s : open + s.replace(/\r?\n/g, (nl) => close + nl + open) + close);
}

/** The --color setting. */
export type ColorMode = 'auto' | 'always' | 'never';

const MODES: readonly string[] = ['auto', 'always', 'never'];

/** What the decision looks at (the real process by default; tests pass their own). */
export interface ColorEnvironment {
  env: Record<string, string | undefined>;
  isTTY: boolean;
}

/** Whether to colour a stream. JSON output is never coloured; callers skip this for it. */
export function useColor(mode: ColorMode, where: ColorEnvironment): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  const { env } = where;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR.toLowerCase());
  if (env.CLICOLOR_FORCE !== undefined && env.CLICOLOR_FORCE !== '0') return true;
  if (env.CLICOLOR === '0') return false;
  return where.isTTY && env.TERM !== 'dumb';
}

/**
 * The --color setting as written on a command line, for what is printed before the parser has
 * finished (help, usage errors): `--color`, `--color WHEN`, `--color=WHEN`; the last one wins,
 * nothing after `--` counts. Without the flag: auto.
 */
export function colorModeFromArgv(argv: readonly string[]): ColorMode {
  let mode: ColorMode = 'auto';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('--color=')) {
      const v = a.slice('--color='.length);
      if (MODES.includes(v)) mode = v as ColorMode;
    } else if (a === '--color') {
      // An optional value: the next word when it is one of the modes (as the parser reads it).
      const next = argv[i + 1];
      if (next !== undefined && MODES.includes(next)) {
        mode = next as ColorMode;
        i++;
      } else {
        mode = 'always';
      }
    }
  }
  return mode;
}

/**
 * argv with a bare `--color` followed by a word that is not a mode (`nlctl --color dump …`)
 * written `--color=always`, so the parser does not take the command for the flag's value.
 */
export function normalizeColorFlag(argv: readonly string[]): string[] {
  const out = [...argv];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === '--') break;
    const next = out[i + 1];
    if (out[i] === '--color' && next !== undefined && !next.startsWith('-') && !MODES.includes(next)) out[i] = '--color=always';
  }
  return out;
}
