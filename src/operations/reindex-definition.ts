import type { OperationDefinition } from '@medplum/fhirtypes';
import { resourceTypes } from '../fhir/resource-types';
import { operationDefinitionUrl, REINDEX_OPERATION } from '../interactions/registry';

/** The OperationDefinition of $reindex, served at [base]/OperationDefinition/reindex (its canonical URL). */
export function reindexOperationDefinition(baseUrl: string): OperationDefinition {
  const op = REINDEX_OPERATION;
  return {
    resourceType: 'OperationDefinition',
    id: op.definitionId,
    url: operationDefinitionUrl(baseUrl, op),
    name: 'Reindex',
    title: 'Rebuild the search indexes',
    status: 'active',
    kind: 'operation',
    publisher: 'Hearth',
    description:
      'Queues a background job that re-extracts the search index rows of every current resource of the type (type level) or of all ' +
      'types (system level), for the given SearchParameters or for all of them. Answers 202 Accepted with a Parameters resource ' +
      'describing the job and Content-Location [base]/$reindex-status/{id}, where GET reports its status and progress. Creating, ' +
      'changing or deleting a SearchParameter queues such a job by itself.',
    affectsState: true,
    code: op.name,
    resource: [...resourceTypes()] as OperationDefinition['resource'],
    system: op.system,
    type: op.type,
    instance: op.instance,
    parameter: [
      { name: 'url', use: 'in', min: 0, max: '*', type: 'uri', documentation: 'Canonical URL of a SearchParameter to reindex (default: every parameter).' },
      { name: 'type', use: 'in', min: 0, max: '*', type: 'code', documentation: 'System level: a resource type to reindex (default: the bases of the url parameters, or every type).' },
      { name: 'id', use: 'out', min: 1, max: '1', type: 'string', documentation: 'The job id.' },
      { name: 'status', use: 'out', min: 1, max: '1', type: 'code', documentation: 'queued, running, done or failed.' },
      { name: 'processed', use: 'out', min: 1, max: '1', type: 'integer', documentation: 'Resources reindexed so far.' },
      { name: 'total', use: 'out', min: 0, max: '1', type: 'integer', documentation: 'Resources to reindex (once the job has started).' },
    ],
  };
}
