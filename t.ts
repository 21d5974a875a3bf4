import { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } from '@actions/workflow-parser';
import * as fs from 'node:fs';
const content = fs.readFileSync(process.argv[2],'utf8');
const r = parseWorkflow({name:'bad.yml', content}, new NoOperationTraceWriter());
for (const e of r.context.errors.getErrors()) console.log('P', JSON.stringify(e), e.message);
const t = await convertWorkflowTemplate(r.context, r.value!, undefined, {errorPolicy: 1});
for (const e of r.context.errors.getErrors()) console.log('C', JSON.stringify(e));
