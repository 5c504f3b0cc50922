// ip's keyword rules: matches() prefix test, and the exits of its argument
// helpers (invarg, duparg, ...) with their exact messages and codes.

/** ip's matches(): `word` is a non-empty leading part of `keyword`. */
export function matches(word: string, keyword: string): boolean {
  return word.length > 0 && word.length <= keyword.length && keyword.startsWith(word);
}

/**
 * ip calls exit() from deep inside a command: the process (or the whole batch)
 * ends with that code and nothing after it runs. Thrown, caught in main.
 */
export class Exit extends Error {
  constructor(readonly code: number, readonly lines: string[] = []) {
    super(lines.join('\n'));
  }
}

export function invarg(msg: string, arg: string): never {
  throw new Exit(255, [`Error: argument "${arg}" is wrong: ${msg}`]);
}

export function duparg(key: string, arg: string): never {
  throw new Exit(255, [`Error: duplicate "${key}": "${arg}" is the second value.`]);
}

export function duparg2(key: string, arg: string): never {
  throw new Exit(255, [`Error: either "${key}" is duplicate, or "${arg}" is a garbage.`]);
}

export function incomplete(): never {
  throw new Exit(255, ['Command line is not complete. Try option "help"']);
}

/** A cursor over a command's words, with ip's NEXT_ARG(). */
export class Args {
  i = 0;
  constructor(readonly words: string[]) {}
  get more(): boolean { return this.i < this.words.length; }
  get cur(): string { return this.words[this.i]; }
  /** Advances to the keyword's value; "Command line is not complete" when there is none. */
  next(): string {
    this.i++;
    if (this.i >= this.words.length) incomplete();
    return this.words[this.i];
  }
  advance(): void { this.i++; }
}
