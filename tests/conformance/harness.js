'use strict';
// Reads one job (JSON) on stdin and answers on stdout what graphql-js says about it:
//  - schema: buildClientSchema(our introspection) → validateSchema errors and printSchema text;
//  - validation: for each document, syntax error or the names of the specified rules that report errors
//    (each rule run on its own, so rule attribution needs no message matching);
//  - execution: the result of executing each request against schema.js.
const fs = require('fs');
const {
  buildClientSchema, validateSchema, printSchema, parse, validate, specifiedRules, execute, GraphQLError,
  lexicographicSortSchema, print,
} = require('graphql');
const { createSchema, sdl } = require('./schema');

function ruleName(rule) {
  return rule.name.replace(/Rule$/, '');
}

// An error as "message @ line:column, …" so messages and locations are compared together.
function describe(error) {
  const locations = (error.locations || []).map((l) => `${l.line}:${l.column}`).join(', ');
  return `${error.message} @ ${locations}`;
}

function checkSchema(introspection) {
  try {
    const schema = buildClientSchema(introspection);
    return {
      errors: validateSchema(schema).map((e) => e.message),
      printed: printSchema(schema),
      sorted: printSchema(lexicographicSortSchema(schema)),
    };
  } catch (e) {
    return { errors: [String(e && e.message)], printed: null };
  }
}

function checkValidation(schema, documents) {
  return documents.map(({ id, query }) => {
    let document;
    try {
      document = parse(query);
    } catch (e) {
      return { id, syntaxError: true, rules: [], messages: [describe(e)] };
    }
    const rules = [];
    const messages = [];
    for (const rule of specifiedRules) {
      const errors = validate(schema, document, [rule]);
      if (errors.length > 0) {
        rules.push(ruleName(rule));
        for (const e of errors) messages.push(describe(e));
      }
    }
    return { id, syntaxError: false, rules, messages, printed: print(document) };
  });
}

function toJson(result) {
  const out = {};
  if ('data' in result) out.data = result.data;
  if (result.errors) out.errors = result.errors.map((e) => (e instanceof GraphQLError ? e.toJSON() : { message: String(e) }));
  return out;
}

async function runExecution(requests) {
  const results = [];
  for (const { id, query, variables, operationName } of requests) {
    // A fresh schema per request keeps mutation counters independent, as the C# side does.
    const schema = createSchema();
    let document;
    try {
      document = parse(query);
    } catch (e) {
      results.push({ id, result: { errors: [e instanceof GraphQLError ? e.toJSON() : { message: String(e) }] } });
      continue;
    }
    const errors = validate(schema, document);
    if (errors.length > 0) {
      results.push({ id, result: { errors: errors.map((e) => e.toJSON()) } });
      continue;
    }
    const result = await execute({ schema, document, variableValues: variables, operationName });
    results.push({ id, result: JSON.parse(JSON.stringify(toJson(result))) });
  }
  return results;
}

async function main() {
  const job = JSON.parse(fs.readFileSync(0, 'utf8'));
  const schema = createSchema();
  const answer = {};
  if (job.introspection) answer.schema = checkSchema(job.introspection);
  answer.jsSchemaSorted = printSchema(lexicographicSortSchema(schema));
  answer.sdl = { source: sdl, printed: print(parse(sdl)) };
  if (job.validation) answer.validation = checkValidation(schema, job.validation);
  if (job.execution) answer.execution = await runExecution(job.execution);
  process.stdout.write(JSON.stringify(answer));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
