import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  name: string;
  version: string;
}

/**
 * This package's own `package.json`, found by walking up from this module: the sources run from
 * the repository root (tests) and from `dist/` (published), so a fixed relative path fits neither.
 */
function readPackageInfo(): PackageInfo {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate)) {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as Partial<PackageInfo>;
      if (parsed.name === 'eslint-plugin-predictable' && typeof parsed.version === 'string') {
        return { name: parsed.name, version: parsed.version };
      }
    }
    const parent = dirname(directory);
    if (parent === directory) {
      throw new Error('eslint-plugin-predictable: cannot find its own package.json');
    }
    directory = parent;
  }
}

export const packageInfo: PackageInfo = readPackageInfo();
