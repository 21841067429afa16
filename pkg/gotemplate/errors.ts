// A template error: the template's name, the line and column in its source, and what went wrong — the
// position Go's text/template reports (`template: NAME:LINE:COL: ...`), so a task event can point at it.

/** A parse or execution error at a position of a named template. */
export class TemplateError extends Error {
  constructor(
    readonly templateName: string,
    readonly line: number,
    readonly col: number,
    readonly detail: string,
  ) {
    super(`template: ${templateName}:${line}:${col}: ${detail}`);
    this.name = 'TemplateError';
  }

  /** An error at `offset` of `source`. */
  static at(name: string, source: string, offset: number, detail: string): TemplateError {
    const { line, col } = position(source, offset);
    return new TemplateError(name, line, col, detail);
  }
}

/** Where `offset` is in `source`, 1-based. */
export function position(source: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

