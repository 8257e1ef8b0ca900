import Ajv from 'ajv';
import { r4ElementTree, r4ConcreteResourceTypes } from './src/fhir/element-tree';
import { enumerableValueSetCodes } from './src/fhir/value-set-codes';
import { buildSchemas, schemaId } from './src/validation/schema-builder';
import { compileElementRules } from './src/validation/element-rules';
const schemas = buildSchemas(r4ElementTree().values(), enumerableValueSetCodes);
for (const opt of [JSON.parse(process.env.OPT!)] as any[]) {
  const ajv = new Ajv({ allErrors: true, verbose: true, messages: false, strict: false, validateSchema: false, addUsedSchema: false, meta: false, ...opt });
  ajv.addKeyword({ keyword: 'fhirType' }); ajv.addKeyword({ keyword: 'fhirArray' }); ajv.addKeyword({ keyword: 'fhirValueSet' });
  ajv.addKeyword({ keyword: 'fhirElement', type: 'object', compile: (r: any) => compileElementRules(r) });
  ajv.addKeyword({ keyword: 'fhirResource', compile: () => () => true });
  ajv.addFormat('fhir-base64', () => true);
  let t = performance.now();
  for (const s of schemas) ajv.addSchema(s);
  const add = performance.now() - t; t = performance.now();
  ajv.getSchema(schemaId('Basic'));
  const basic = performance.now() - t; t = performance.now();
  for (const r of r4ConcreteResourceTypes()) ajv.getSchema(schemaId(r));
  console.log(JSON.stringify(opt), 'add', add.toFixed(0), 'basic', basic.toFixed(0), 'all', (performance.now() - t).toFixed(0));
}
