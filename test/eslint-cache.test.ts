/**
 * The README tells hook and CI users to leave ESLint's `--cache` off, because the cache keys each
 * file's results on that file alone while a typed finding depends on the files it imports. This
 * shows that it still does; if ESLint ever tracks those dependencies, the test fails and the
 * README's advice should change with it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

import { createTempProject, type TempProject } from './codemods/temp-project.js';

const require = createRequire(import.meta.url);
const tsxLoader = pathToFileURL(require.resolve('tsx')).href;
const eslintPackageJson = require.resolve('eslint/package.json');
const eslintBin = join(dirname(eslintPackageJson), (JSON.parse(readFileSync(eslintPackageJson, 'utf8')) as { bin: { eslint: string } }).bin.eslint);
const pluginEntry = pathToFileURL(fileURLToPath(new URL('../index.ts', import.meta.url))).href;

const TSCONFIG = {
  compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023', 'esnext.disposable'], types: [], strict: true, noEmit: true },
  include: ['src'],
};
const ESLINT_CONFIG = `import predictable from '${pluginEntry}';

export default [
  {
    files: ['**/*.ts'],
    ...predictable.configs.recommended,
    languageOptions: {
      ...predictable.configs.recommended.languageOptions,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
];
`;
const NOT_A_RESOURCE = `export class Connection {
  send(message: string): void {
    if (message.length === 0) throw new Error('empty');
  }
}

export function connect(): Connection {
  return new Connection();
}
`;
const A_RESOURCE = NOT_A_RESOURCE.replace(
  'export class Connection {',
  "export class Connection implements Disposable {\n  [Symbol.dispose](): void {\n    console.info('connection closed');\n  }",
);
const CALLER = `import { connect } from './connection.js';

export function ping(): void {
  const connection = connect();
  connection.send('ping');
}
`;

const projects: TempProject[] = [];
afterEach(() => {
  for (const project of projects.splice(0)) project.remove();
});

function eslint(project: TempProject, ...args: string[]): { status: number | null; stdout: string } {
  // tsx lets the config import the plugin from its TypeScript sources.
  const result = spawnSync(process.execPath, ['--import', tsxLoader, eslintBin, ...args, 'src'], {
    cwd: project.root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  return { status: result.status, stdout: result.stdout };
}

describe("ESLint's --cache with a typed rule", () => {
  it('replays a clean result for a caller whose callee in another file became a resource', () => {
    const project = createTempProject(
      { 'eslint.config.mjs': ESLINT_CONFIG, 'src/connection.ts': NOT_A_RESOURCE, 'src/caller.ts': CALLER },
      { git: false, tsconfig: TSCONFIG },
    );
    projects.push(project);
    expect(eslint(project, '--cache').status).toBe(0);

    project.write('src/connection.ts', A_RESOURCE);
    const cached = eslint(project, '--cache');
    const uncached = eslint(project);
    expect(uncached.stdout).toMatch(/caller\.ts\n\s+4:9\s+error\s+`connection` \(Connection from `connect\(\)`, line 4\) is never released/);
    expect(uncached.status).toBe(1);
    expect(cached.stdout).toBe('');
    expect(cached.status).toBe(0);
  });
});
