import tseslint from 'typescript-eslint';

/**
 * One no-restricted-imports rule per layer: `ours` are the paths of ours it
 * may not import (regular expressions on the import text), `system` forbids
 * what talks to the system (koffi, child processes), `io` forbids files too.
 * A file in two layers gets both sets (ESLint merges by file, last wins, so
 * each layer lists everything that applies to it).
 */
function layers(list) {
  const SYSTEM = ['koffi', 'node:child_process', 'child_process'];
  const IO = ['node:fs', 'fs', 'node:net', 'node:dgram', 'node:tty'];
  return list.map(({ files, ignores, ours = [], io = false, system = false }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...(system ? SYSTEM : []), ...(io ? IO : [])].map((name) => ({ name, message: 'only src/kernel touches the system' })),
        patterns: ours.map((regex) => ({ regex, message: 'this layer may not import that one (see the README\'s architecture section)' })),
      }],
    },
  }));
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.lab-cache/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // The layers (README, "Architecture"): data flows command -> front -> port -> kernel or model -> wire.
  ...layers([
    // Only src/kernel touches the system (netlink and packet sockets, setns, /run/netns).
    { files: ['src/**/*.ts'], ignores: ['src/kernel/**'], system: true },
    // The wire codecs: pure, nothing of ours but src/wire, no I/O. One known exception until
    // the dotted-quad parser moves below lib: wire/arp.ts's ipFromString reads text with lib/inet's parseIPv4.
    { files: ['src/wire/**/*.ts'], ours: ['^\\.\\./(?!lib/inet\\.js$)'], io: true, system: true },
    { files: ['src/wire/**/*.ts'], ignores: ['src/wire/arp.ts'], ours: ['^\\.\\./'], io: true, system: true },
    // Shared helpers (addresses, MACs, output writing): below the front, the model and arping.
    // Known exception to settle: lib/koffi.ts and lib/flock.ts (the model's state-file lock) call libc.
    { files: ['src/lib/**/*.ts'], ignores: ['src/lib/koffi.ts', 'src/lib/flock.ts'], ours: ['^\\.\\./(?!wire/|lib/)'], system: true },
    { files: ['src/lib/koffi.ts', 'src/lib/flock.ts'], ours: ['^\\.\\./(?!wire/|lib/)'] },
    // The model never imports the front, the kernel or the cli.
    { files: ['src/sim/**/*.ts'], ours: ['^\\.\\./(ip|kernel|cli)/', '^\\.\\./(cli|entry)\\.js$'], system: true },
    // arping's engine talks through its own port.
    { files: ['src/arping/**/*.ts'], ours: ['^\\.\\./(ip|sim|kernel)/'], io: true, system: true },
    // The front never knows which backend answers; it opens only the user's files (a batch, a save
    // stream on stdin/stdout) and iproute2's name tables, each in the one module that does so.
    { files: ['src/ip/**/*.ts'], ours: ['^\\.\\./(sim|kernel)/'], system: true },
    {
      files: ['src/ip/**/*.ts'], ignores: ['src/ip/main.ts', 'src/ip/addr-save.ts', 'src/ip/names.ts', 'src/ip/monitor-file.ts'],
      ours: ['^\\.\\./(sim|kernel)/'], io: true, system: true,
    },
  ]),
  {
    files: ['bin/**/*.js', 'scripts/**/*.mjs', 'scripts/**/*.js'],
    languageOptions: { globals: { require: 'readonly', process: 'readonly', __dirname: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
