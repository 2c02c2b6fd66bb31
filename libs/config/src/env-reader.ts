import { ConfigError } from './config-error.js';
import { parseDuration } from './duration.js';
import { isPublishedSecret } from './published-secrets.js';

type Env = Record<string, string | undefined>;

/**
 * Reads environment variables into a typed object, collecting every problem before failing,
 * so a bad deployment reports all wrong settings at once, each by name.
 */
export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: Env = process.env) {}

  string(name: string, fallback?: string): string {
    const value = this.env[name]?.trim();
    if (value) return value;
    if (fallback !== undefined) return fallback;
    this.problems.push(`${name} is required`);
    return '';
  }

  /** Whether the variable has a non-blank value (settings that only make sense together). */
  isSet(name: string): boolean {
    return Boolean(this.env[name]?.trim());
  }

  /** Records a problem with a setting found by a check of its own (the reason, never the value). */
  reject(name: string, reason: string): void {
    this.problems.push(`${name} ${reason}`);
  }

  optionalString(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  int(name: string, fallback: number, { min = -Infinity, max = Infinity } = {}): number {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got '${raw}')`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.env[name]?.trim().toLowerCase();
    if (!raw) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got '${raw}')`);
    return fallback;
  }

  durationMs(name: string, fallback: string): number {
    return this.parse(name, fallback, parseDuration);
  }

  durationList(name: string, fallback: string): number[] {
    return this.parse(name, fallback, (text) => {
      const items = text.split(',').map((item) => parseDuration(item));
      if (items.some((ms) => ms <= 0)) throw new Error('every duration must be positive');
      return items;
    });
  }

  list(name: string, fallback?: string): string[] {
    return this.string(name, fallback)
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got '${raw}')`);
    return fallback;
  }

  url(name: string, protocols: string[], fallback?: string): string {
    return this.parse(name, fallback, (text) => {
      const url = new URL(text);
      if (!protocols.includes(url.protocol)) throw new Error(`protocol must be ${protocols.join(' or ')}`);
      return text;
    });
  }

  /**
   * A secret setting: required (unless optional), at least `minLength` long, and never a published example value
   * (`.env.example` placeholders, old compose defaults).
   */
  secret(name: string, { optional = false, minLength = 16 } = {}): string | undefined {
    const value = this.env[name]?.trim();
    if (!value) {
      if (!optional) this.problems.push(`${name} is required`);
      return undefined;
    }
    if (isPublishedSecret(value))
      this.problems.push(`${name} is an example value; generate your own (see .env.example)`);
    else if (value.length < minLength) this.problems.push(`${name} must be at least ${minLength} characters`);
    return value;
  }

  /** A custom check; `parse` throws with a human-readable reason. */
  parse<T>(name: string, fallback: string | undefined, parse: (text: string) => T): T {
    const raw = this.env[name]?.trim() || fallback;
    if (raw === undefined) {
      this.problems.push(`${name} is required`);
      return undefined as T;
    }
    try {
      return parse(raw);
    } catch (error) {
      this.problems.push(`${name} is invalid: ${error instanceof Error ? error.message : String(error)}`);
      return undefined as T;
    }
  }

  /** Throws a ConfigError naming every problem found so far. */
  done(): void {
    if (this.problems.length) throw new ConfigError(this.problems);
  }
}
