import { ConfigError, loadConfig, type Config } from '../config.js';

/**
 * The settings for a CLI command, or exit 78 (EX_CONFIG) with the problems named. `check` runs
 * more checks that throw ConfigError the same way (e.g. refusePostgresForNow).
 */
export function configOrExit(check?: (config: Config) => void): Config {
  try {
    const config = loadConfig();
    check?.(config);
    return config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(78);
  }
}
