// Where node-gyp finds the Node headers without a download: a distribution node installed under
// a prefix (/usr, /usr/local) ships them in <prefix>/include/node. Honours an explicit setting.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** process.env plus npm_config_nodedir when the running node's prefix has the headers. */
export function envWithNodeHeaders(env = process.env) {
  if (env.npm_config_nodedir) return env;
  const prefix = dirname(dirname(process.execPath));
  if (!existsSync(join(prefix, 'include', 'node', 'node_api.h'))) return env;
  return { ...env, npm_config_nodedir: prefix };
}
