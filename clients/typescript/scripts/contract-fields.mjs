// Prints, as JSON, each contract schema the SDK mirrors (an interface of src/models.ts whose comment says
// "@contract <Schema>") with the property names the interface declares: {"Task": ["id", ...], ...}.
// TypeScriptClientTest compares them with the OpenAPI contract's schemas.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const file = fileURLToPath(new URL('../src/models.ts', import.meta.url));
const text = readFileSync(file, 'utf8');
const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
const schemas = {};
for (const statement of source.statements) {
  if (!ts.isInterfaceDeclaration(statement)) {
    continue;
  }
  const comments = ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? [];
  const tag = comments.map((c) => text.slice(c.pos, c.end).match(/@contract\s+(\w+)/)).find(Boolean);
  if (tag) {
    schemas[tag[1]] = statement.members.filter(ts.isPropertySignature).map((m) => m.name.getText(source));
  }
}
console.log(JSON.stringify(schemas));
