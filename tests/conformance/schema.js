'use strict';
// The graphql-js side of the conformance schema: the same types, defaults, deprecations and resolvers as
// tests/Verification.GraphQL.Tests/TestSchema.cs, over the same data.json. Written as SDL plus resolvers
// attached to the built schema, so it shares no code with the C# engine.
const fs = require('fs');
const path = require('path');
const {
  buildSchema, GraphQLError, GraphQLSchema, GraphQLIncludeDirective, GraphQLSkipDirective, GraphQLDeprecatedDirective,
  GraphQLSpecifiedByDirective, isSpecifiedDirective,
} = require('graphql');

const sdl = `
"""The root of all reads."""
type Query {
  hello(
    """Who to greet."""
    name: String = "world"
  ): String!
  people(filter: PersonFilter): [Person!]!
  node(id: ID!): Node
  named: [Named]
  pets: [Pet]
  error: String
  errorNonNull: String!
  nullNonNull: String!
  listWithNulls: [Int]
  listOfNonNullWithNull: [Int!]
  nonNullListOfNonNullWithNull: [Int!]!
  listWithErrors: [String]
  nested: Nested
  color(c: Color): Color
  badEnum: Color
  add(a: Int!, b: Int! = 1): Int!
  sum(values: [Int!]): Int
  echoFloat(value: Float): Float
  echoId(value: ID): ID
  echoRange(range: Range = {from: 1, to: 2}): String
  tooBigInt: Int
  stringFromNumber: String
  floatFromInt: Float
  since: DateTime
  oldField: String @deprecated
  withDeprecatedArg(old: String @deprecated(reason: "Use new"), new: String): String
  describedArgs(
    """The first one."""
    first: Int

    """The second one."""
    second: [String!] = ["a", "b"]
  ): String
}

"""A human being."""
type Person implements Named & Node {
  id: ID!
  name: String
  age: Int
  favoriteColor: Color
  pets: [Pet!]!
  friends: [Person]
  nickname: String @deprecated(reason: "Use name")
  secret: String
  born: DateTime
}

"""Something with an ID."""
interface Node {
  id: ID!
}

interface Named implements Node {
  id: ID!
  name: String
}

"""Dogs or cats."""
union Pet = Dog | Cat

type Dog implements Named & Node {
  id: ID!
  name: String
  barkVolume: Int
  owner: Person
  doesKnowCommand(command: String!): Boolean!
}

type Cat implements Named & Node {
  id: ID!
  name: String
  lives: Int!
  meowVolume: Int
}

"""A colour."""
enum Color {
  RED

  """Like grass."""
  GREEN
  BLUE @deprecated(reason: "Use RED")
  OLD @deprecated
}

"""An ISO-8601 instant in UTC."""
scalar DateTime @specifiedBy(url: "https://scalars.graphql.org/andimarek/date-time")

"""Which people to return."""
input PersonFilter {
  nameStartsWith: String
  minAge: Int = 0
  colors: [Color!]
  legacy: Boolean @deprecated(reason: "Ignored")
}

input Range {
  from: Int!

  """Inclusive upper bound."""
  to: Int!
}

type Nested {
  value: Int
  child: Nested
  nonNullError: String!
  nonNullChild: Nested!
  items: [Nested!]
}

type Mutation {
  increment(by: Int = 1): Int!
  createPerson(input: CreatePersonInput!): Person
}

input CreatePersonInput {
  name: String!
  age: Int
}

type Subscription {
  count(to: Int!): Int!
}

"""Tags a selection."""
directive @tag(name: String!, legacy: String @deprecated(reason: "old")) repeatable on FIELD | QUERY | FRAGMENT_SPREAD

directive @once on FIELD | INLINE_FRAGMENT
`;

function createSchema() {
  const data = JSON.parse(fs.readFileSync(path.join(__dirname, 'data.json'), 'utf8'));
  const all = [...data.people, ...data.pets];
  // The October 2021 spec has no @oneOf (graphql-js 16.9 adds it): keep the four specified directives, then ours.
  const built = buildSchema(sdl);
  const config = built.toConfig();
  const schema = new GraphQLSchema({
    ...config,
    directives: [
      GraphQLIncludeDirective, GraphQLSkipDirective, GraphQLDeprecatedDirective, GraphQLSpecifiedByDirective,
      ...config.directives.filter((d) => !isSpecifiedDirective(d)),
    ],
  });
  const byId = (id) => all.find((p) => p.id === id);
  const set = (typeName, fieldName, resolve) => {
    schema.getType(typeName).getFields()[fieldName].resolve = resolve;
  };
  const boom = (message, code) => new GraphQLError(message, { extensions: { code } });

  const dateTime = schema.getType('DateTime');
  dateTime.serialize = (value) => {
    if (typeof value === 'string') return value;
    throw boom('DateTime cannot represent a non-date value.', 'INVALID_RESULT');
  };
  dateTime.parseValue = (value) => {
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value;
    throw boom(`DateTime cannot represent value: ${JSON.stringify(value)}`, 'BAD_USER_INPUT');
  };

  set('Person', 'pets', (p) => (p.petIds || []).map(byId));
  set('Person', 'friends', (p) => (p.friendIds || []).map(byId));
  set('Person', 'secret', () => { throw boom('Access denied', 'FORBIDDEN'); });
  set('Dog', 'owner', (d) => all.find((p) => p.id === d.ownerId));
  set('Dog', 'doesKnowCommand', (_d, args) => args.command === 'SIT');
  set('Nested', 'value', (n) => n);
  set('Nested', 'child', (n) => n + 1);
  set('Nested', 'nonNullError', () => { throw boom('nested failure', 'NESTED'); });
  set('Nested', 'nonNullChild', () => null);
  set('Nested', 'items', () => [1, 2]);

  set('Query', 'hello', (_r, args) => `Hello, ${args.name}!`);
  set('Query', 'people', (_r, args) => {
    let result = data.people;
    const f = args.filter;
    if (f) {
      if (typeof f.nameStartsWith === 'string') result = result.filter((p) => p.name.startsWith(f.nameStartsWith));
      const minAge = f.minAge == null ? 0 : f.minAge;
      result = result.filter((p) => (p.age == null ? 0 : p.age) >= minAge);
    }
    return result;
  });
  set('Query', 'node', (_r, args) => all.find((p) => p.id === args.id));
  set('Query', 'named', () => all);
  set('Query', 'pets', () => data.pets);
  set('Query', 'error', () => { throw boom('Boom', 'BOOM'); });
  set('Query', 'errorNonNull', () => { throw boom('Non-null boom', 'BOOM'); });
  set('Query', 'nullNonNull', () => null);
  set('Query', 'listWithNulls', () => [1, null, 3]);
  set('Query', 'listOfNonNullWithNull', () => [1, null, 3]);
  set('Query', 'nonNullListOfNonNullWithNull', () => [1, null, 3]);
  set('Query', 'listWithErrors', () => ['a', {}, 'c']);
  set('Query', 'nested', () => 1);
  set('Query', 'color', (_r, args) => args.c);
  set('Query', 'badEnum', () => 99);
  set('Query', 'add', (_r, args) => args.a + args.b);
  set('Query', 'sum', (_r, args) => (args.values == null ? null : args.values.reduce((a, b) => a + b, 0)));
  set('Query', 'echoFloat', (_r, args) => args.value);
  set('Query', 'echoId', (_r, args) => args.value);
  set('Query', 'echoRange', (_r, args) => (args.range == null ? null : `${args.range.from}..${args.range.to}`));
  set('Query', 'tooBigInt', () => 3000000000);
  set('Query', 'stringFromNumber', () => 42);
  set('Query', 'floatFromInt', () => 7);
  set('Query', 'since', () => '2024-01-02T03:04:05Z');
  set('Query', 'oldField', () => 'old');
  set('Query', 'withDeprecatedArg', (_r, args) => (args.old == null ? 'none' : args.old));
  set('Query', 'describedArgs', () => 'ok');

  let counter = 0;
  set('Mutation', 'increment', (_r, args) => { counter += args.by; return counter; });
  set('Mutation', 'createPerson', (_r, args) => ({
    __typename: 'Person', id: 'new', name: args.input.name, age: args.input.age === undefined ? null : args.input.age,
  }));
  return schema;
}

module.exports = { createSchema, sdl };
