import type { Resource } from '@medplum/fhirtypes';
import type { ReindexJob } from '../storage/reindex-jobs';
import type { Repository } from '../storage/repository';
import type { Issue } from '../core/errors';
import type { Logger } from '../core/logger';
import type { SoftwareInfo } from './capabilities';
import type { DeferredChecks, IntegrityPolicy } from './integrity';

/** A transport-free FHIR request: what the HTTP layer, bundle entries and the CLI all produce. */
export interface FhirRequest {
  resourceType?: string;
  id?: string;
  versionId?: string;
  /** Query parameters in order; a repeated name appears several times. */
  query: [string, string][];
  body?: unknown;
  /** Public FHIR base URL without trailing slash, e.g. https://host/fhir. */
  baseUrl: string;
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifNoneExist?: string;
  /** Id for a create, chosen in advance by a transaction so that references can point at it. Never set from HTTP. */
  assignedId?: string;
  /** Compartment of a compartment search (`Patient/123/Observation`): its type and id; resourceType is then the searched type (or undefined for `*`). */
  compartment?: { type: string; id: string };
  /** `Prefer: handling=` of the request: how a search treats unknown or unsupported parameters. */
  handling?: 'strict' | 'lenient';
}

/** What an interaction produced; the HTTP layer only translates it. */
export interface FhirResult {
  status: number;
  resource?: Resource;
  /** Set for results about one stored version (ETag, Last-Modified, Location). */
  versionId?: number;
  lastUpdated?: string;
  /** Absolute URL of the created or updated version. */
  location?: string;
  /** Non-fatal issues to report alongside (e.g. on conditional create matches). */
  issues?: Issue[];
}

export interface Validator {
  validate(resource: unknown, options?: { expectedType?: string }): Issue[];
}

export interface InteractionContext {
  repo: Repository;
  validator: Validator;
  logger: Logger;
  limits: { defaultPageSize: number; maxPageSize: number };
  /** Referential integrity; absent means no checks. */
  integrity?: IntegrityPolicy;
  /** Set inside a transaction Bundle: integrity checks wait for its end. */
  deferred?: DeferredChecks;
  /** Server clock, injectable for tests. */
  now?: () => Date;
  /** How searches treat unknown or unsupported parameters when the request does not say (default lenient). */
  searchHandling?: 'strict' | 'lenient';
  /** Name, version and start of the server, for the CapabilityStatement (`metadata` Bundle entries). */
  software?: SoftwareInfo;
  /** The server's reindex state (src/reindex); absent: no parameter is reported incomplete. */
  reindex?: ReindexMonitor;
}

/** A search parameter whose index rows are being rebuilt by an unfinished reindex job. */
export interface IncompleteParameter {
  jobId: string;
  processed: number;
  total?: number;
  /** The job failed: the rows stay incomplete until another reindex of the type succeeds. */
  failed: boolean;
}

/** What the interactions need of the server's reindex machinery. */
export interface ReindexMonitor {
  /** The unfinished job that makes parameter `code` of `resourceType` incomplete, if any. */
  incomplete(resourceType: string, code: string): IncompleteParameter | undefined;
  /** Called once a job queued by a SearchParameter write (or $reindex) has been committed. */
  queued(job: ReindexJob): void;
}
