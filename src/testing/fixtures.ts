import { randomUUID } from 'node:crypto';
import type { Observation, Patient } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { FhirError } from '../core/errors';
import { silentLogger } from '../core/logger';
import type { InteractionContext } from '../interactions/types';
import type { DatabaseContext } from '../storage/test-databases';
import { createBaseValidator } from '../validation';

/** Shared fixtures of the interaction and Bundle tests. */

export const BASE = 'http://example.org/fhir';
export const SYS = 'http://example.org/ids';

let validator: ReturnType<typeof createBaseValidator> | undefined;

/** An interaction context over the suite's database, without integrity checks unless given. */
export function contextOf(db: DatabaseContext, extra: Partial<InteractionContext> = {}): InteractionContext {
  validator ??= createBaseValidator();
  return { repo: db.repository(), validator, logger: silentLogger, limits: { defaultPageSize: 20, maxPageSize: 100 }, ...extra };
}

export const urn = (): string => `urn:uuid:${randomUUID()}`;

export const patient = (value: string, extra: Partial<Patient> = {}): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: SYS, value }],
  ...extra,
});

export const observation = (extra: Partial<Observation> = {}): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { text: 'x' },
  ...extra,
});

/** `Type/id` of a response location `…/Type/id/_history/n`. */
export function refOf(location: string | undefined): string {
  const m = /\/([A-Za-z]+)\/([A-Za-z0-9\-.]+)\/_history\/\d+$/.exec(location ?? '');
  if (!m) return expect.fail(`not a version location: ${location}`);
  return `${m[1]}/${m[2]}`;
}

/** The FhirError a promise rejects with; fails the test when it resolves. */
export async function rejected(p: Promise<unknown>, what = 'the request'): Promise<FhirError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(FhirError);
    return err as FhirError;
  }
  return expect.fail(`${what} was accepted`);
}
