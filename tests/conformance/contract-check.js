'use strict';
// Checks a real schema against a published contract. Reads {introspection, contract} (contract = SDL text) on stdin
// and prints {problems: [...]}: every type, field, argument, input field, enum value and union member of the
// contract must exist in the schema built from the introspection, with a type that existing clients still accept:
//  - output fields: the same type, or a stricter one (non-null where the contract says nullable);
//  - arguments and input fields: the same type, or a looser one (nullable where the contract says non-null),
//    the same default value, and no new required argument or input field (it would break existing requests).
const fs = require('fs');
const {
  buildClientSchema, buildSchema, isNonNullType, isListType, isObjectType, isInterfaceType, isInputObjectType,
  isEnumType, isUnionType, isScalarType, isSpecifiedScalarType, isIntrospectionType, isRequiredArgument,
  isRequiredInputField,
} = require('graphql');

function kind(type) {
  return Object.getPrototypeOf(type).constructor.name;
}

// Ours may be non-null where the contract is nullable: a client reading the contract's type still understands it.
function outputCompatible(ours, theirs) {
  if (isNonNullType(theirs)) return isNonNullType(ours) && outputCompatible(ours.ofType, theirs.ofType);
  if (isNonNullType(ours)) return outputCompatible(ours.ofType, theirs);
  if (isListType(theirs)) return isListType(ours) && outputCompatible(ours.ofType, theirs.ofType);
  return !isListType(ours) && ours.name === theirs.name;
}

// Ours may be nullable where the contract is non-null: every value a client sends per the contract is still accepted.
function inputCompatible(ours, theirs) {
  if (isNonNullType(ours)) return isNonNullType(theirs) && inputCompatible(ours.ofType, theirs.ofType);
  if (isNonNullType(theirs)) return inputCompatible(ours, theirs.ofType);
  if (isListType(theirs)) return isListType(ours) && inputCompatible(ours.ofType, theirs.ofType);
  return !isListType(ours) && ours.name === theirs.name;
}

function checkInputs(where, ours, theirs, isRequired, problems) {
  const byName = new Map(ours.map((x) => [x.name, x]));
  for (const value of theirs) {
    const mine = byName.get(value.name);
    if (!mine) {
      problems.push(`${where}(${value.name}) is missing`);
      continue;
    }
    if (!inputCompatible(mine.type, value.type)) {
      problems.push(`${where}(${value.name}) has type ${mine.type}, the contract says ${value.type}`);
    }
    if (value.defaultValue !== undefined && JSON.stringify(mine.defaultValue) !== JSON.stringify(value.defaultValue)) {
      problems.push(`${where}(${value.name}) defaults to ${JSON.stringify(mine.defaultValue)}, the contract says ${JSON.stringify(value.defaultValue)}`);
    }
  }
  const known = new Set(theirs.map((x) => x.name));
  for (const mine of ours) {
    if (!known.has(mine.name) && isRequired(mine)) problems.push(`${where}(${mine.name}) is required but not in the contract`);
  }
}

function check(schema, contract) {
  const problems = [];
  for (const theirs of Object.values(contract.getTypeMap())) {
    if (isIntrospectionType(theirs) || isSpecifiedScalarType(theirs)) continue;
    const ours = schema.getType(theirs.name);
    if (!ours) {
      problems.push(`type ${theirs.name} is missing`);
      continue;
    }
    if (kind(ours) !== kind(theirs)) {
      problems.push(`type ${theirs.name} is a ${kind(ours)}, the contract says ${kind(theirs)}`);
      continue;
    }
    if (isObjectType(theirs) || isInterfaceType(theirs)) {
      const fields = ours.getFields();
      for (const field of Object.values(theirs.getFields())) {
        const mine = fields[field.name];
        if (!mine) {
          problems.push(`field ${theirs.name}.${field.name} is missing`);
          continue;
        }
        if (!outputCompatible(mine.type, field.type)) {
          problems.push(`field ${theirs.name}.${field.name} has type ${mine.type}, the contract says ${field.type}`);
        }
        checkInputs(`${theirs.name}.${field.name}`, mine.args, field.args, isRequiredArgument, problems);
      }
    } else if (isInputObjectType(theirs)) {
      checkInputs(theirs.name, Object.values(ours.getFields()), Object.values(theirs.getFields()), isRequiredInputField, problems);
    } else if (isEnumType(theirs)) {
      const values = new Set(ours.getValues().map((v) => v.name));
      for (const value of theirs.getValues()) {
        if (!values.has(value.name)) problems.push(`enum value ${theirs.name}.${value.name} is missing`);
      }
    } else if (isUnionType(theirs)) {
      const members = new Set(ours.getTypes().map((t) => t.name));
      for (const member of theirs.getTypes()) {
        if (!members.has(member.name)) problems.push(`union ${theirs.name} lacks member ${member.name}`);
      }
    } else if (!isScalarType(theirs)) {
      problems.push(`type ${theirs.name}: unexpected kind ${kind(theirs)}`);
    }
  }
  for (const root of ['Query', 'Mutation', 'Subscription']) {
    const theirs = contract.getRootType(root.toLowerCase());
    const ours = schema.getRootType(root.toLowerCase());
    if (theirs && (!ours || ours.name !== theirs.name)) problems.push(`${root.toLowerCase()} root type is ${ours && ours.name}, the contract says ${theirs.name}`);
  }
  return problems;
}

const job = JSON.parse(fs.readFileSync(0, 'utf8'));
const problems = check(buildClientSchema(job.introspection), buildSchema(job.contract));
process.stdout.write(JSON.stringify({ problems }));
