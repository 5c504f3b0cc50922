// The name tsnet was run by. Under the name `ip` (a symlink or a wrapper named
// ip, `exec -a ip`) it is a drop-in for ip: scripts grep its help texts
// (`ip neigh help 2>&1 | grep -q 'ip neigh get'`), so every text that names
// the program says `ip` then, as ip 6.1 does; under its own name it says tsnet.
let name: 'ip' | 'tsnet' = 'tsnet';

/** Sets the name from how the program was invoked (a path or a bare name). */
export function setProgName(invokedAs: string | undefined): void {
  const base = (invokedAs ?? '').replace(/.*\//, '');
  name = base === 'ip' ? 'ip' : 'tsnet';
}

/** 'ip' when run under the name ip, else 'tsnet'. */
export function progName(): 'ip' | 'tsnet' {
  return name;
}
