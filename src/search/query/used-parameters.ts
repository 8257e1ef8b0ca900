import type { Criterion, SearchRequest } from './types';

/** A search parameter a search relies on: its code, on one resource type. */
export interface UsedParameter {
  resourceType: string;
  code: string;
}

/**
 * Every index-backed parameter a parsed search uses, per resource type: its criteria (with the
 * reference parameters and inner criteria of chains and _has), sort keys and _include /
 * _revinclude parameters. Parameters evaluated on the resource row (_id, _lastUpdated, _text,
 * _content, _list) are not listed.
 */
export function usedParameters(request: Pick<SearchRequest, 'types' | 'criteria'> & Partial<Pick<SearchRequest, 'sort' | 'include' | 'revinclude'>>): UsedParameter[] {
  const used = new Map<string, UsedParameter>();
  const add = (resourceType: string, code: string): void => {
    if (resourceType !== '*' && code !== '*') used.set(`${resourceType}\u0000${code}`, { resourceType, code });
  };
  const visit = (c: Criterion, types: readonly string[]): void => {
    switch (c.kind) {
      case 'value':
      case 'missing':
        if (c.param.column === undefined) for (const t of types) add(t, c.param.code);
        return;
      case 'chain':
        for (const t of types) add(t, c.code);
        for (const inner of c.inner) visit(inner.criterion, [inner.type]);
        return;
      case 'has':
        add(c.sourceType, c.code);
        visit(c.inner, [c.sourceType]);
        return;
      case 'special':
        return;
    }
  };
  for (const c of request.criteria) visit(c, request.types);
  for (const key of request.sort ?? []) if (key.param && key.param.column === undefined) for (const t of request.types) add(t, key.code);
  for (const inc of [...(request.include ?? []), ...(request.revinclude ?? [])]) add(inc.sourceType, inc.code);
  return [...used.values()];
}
