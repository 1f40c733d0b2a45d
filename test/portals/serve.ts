// `migstat serve` as a child process on a test database, for the suites that need real hub processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { cliEnv, migstatBin, type CliTarget } from '../support/cli.js';

export interface Serve {
  url: string;
  child: ChildProcess;
  stop(): Promise<number | null>;
}

export async function serve(target: CliTarget, env: Record<string, string> = {}): Promise<Serve> {
  const child = spawn(process.execPath, [migstatBin, 'serve'], {
    env: cliEnv({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...target.env, ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'serving') resolve(String(entry.url));
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
  });
  return {
    url,
    child,
    stop() {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    },
  };
}
