import { randomUUID } from 'node:crypto';

/** FHIR R4 id: 1-64 characters of A-Z a-z 0-9 - . */
export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}

export function newId(): string {
  return randomUUID();
}
