import { execFile } from 'node:child_process';

/** The export names a package exposes to `import` and to `require`, each read by a fresh Node. */
export interface PackageExports {
  readonly esm: readonly string[];
  readonly cjs: readonly string[];
}

/**
 * Loads `packageName` the way users do, once with `import()` and once with `require()`, each
 * in its own Node process started in `cwd`, and returns the sorted export names of both.
 */
export async function packageExports(packageName: string, cwd: string): Promise<PackageExports> {
  const name = JSON.stringify(packageName);
  const [esm, cjs] = await Promise.all([
    evaluate(`import(${name}).then((m) => console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort())))`, cwd),
    evaluate(`console.log(JSON.stringify(Object.keys(require(${name})).sort()))`, cwd),
  ]);
  return { esm: JSON.parse(esm) as string[], cjs: JSON.parse(cjs) as string[] };
}

function evaluate(source: string, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', source], { cwd, timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}
