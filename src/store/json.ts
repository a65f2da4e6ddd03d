import { StoreError } from './errors.js';

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new StoreError('CORRUPT_RECORD', `${where} holds JSON that does not parse: ${(error as Error).message}`, { cause: error });
  }
}
