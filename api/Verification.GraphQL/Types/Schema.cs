using Verification.GraphQL.Introspection;

namespace Verification.GraphQL.Types;

/// <summary>Thrown by <see cref="SchemaBuilder.Build"/> when the schema breaks a type-system rule of spec §3.</summary>
public sealed class GraphQLSchemaException : Exception
{
    /// <summary>Creates the exception from the list of violations.</summary>
    public GraphQLSchemaException(IReadOnlyList<string> errors)
        : base("Invalid GraphQL schema:\n" + string.Join("\n", errors))
    {
        Errors = errors;
    }

    /// <summary>Creates an exception with one violation.</summary>
    public GraphQLSchemaException()
        : this(["invalid schema"])
    {
    }

    /// <summary>Creates an exception with one violation.</summary>
    public GraphQLSchemaException(string message)
        : this([message])
    {
    }

    /// <summary>Creates an exception with one violation.</summary>
    public GraphQLSchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Every violation found.</summary>
    public IReadOnlyList<string> Errors { get; }
}

/// <summary>Collects the root types, extra types and directives of a schema and validates them (spec §3.3).</summary>
public sealed class SchemaBuilder
{
    private readonly List<NamedType> _types = [];
    private readonly List<DirectiveDefinition> _directives = [.. DirectiveDefinition.Specified];
    private ObjectType? _query;
    private ObjectType? _mutation;
    private ObjectType? _subscription;
    private string? _description;

    /// <summary>Sets the query root type.</summary>
    public SchemaBuilder Query(ObjectType type)
    {
        _query = type;
        return this;
    }

    /// <summary>Sets the mutation root type.</summary>
    public SchemaBuilder Mutation(ObjectType type)
    {
        _mutation = type;
        return this;
    }

    /// <summary>Sets the subscription root type.</summary>
    public SchemaBuilder Subscription(ObjectType type)
    {
        _subscription = type;
        return this;
    }

    /// <summary>Adds types not reachable from the roots (e.g. implementations only referenced through an interface).</summary>
    public SchemaBuilder AddType(params NamedType[] types)
    {
        _types.AddRange(types);
        return this;
    }

    /// <summary>Adds a custom directive.</summary>
    public SchemaBuilder AddDirective(DirectiveDefinition directive)
    {
        _directives.Add(directive);
        return this;
    }

    /// <summary>Sets the schema description.</summary>
    public SchemaBuilder Description(string description)
    {
        _description = description;
        return this;
    }

    /// <summary>Builds and validates the schema; throws <see cref="GraphQLSchemaException"/> listing every violation.</summary>
    public Schema Build()
    {
        var schema = new Schema(_query, _mutation, _subscription, _types, _directives, _description);
        var errors = SchemaValidator.Validate(schema);
        if (errors.Count > 0)
        {
            throw new GraphQLSchemaException(errors);
        }

        foreach (var type in schema.Types.Values)
        {
            type.Freeze();
        }

        schema.ComputeDefaultLiterals();
        return schema;
    }
}

/// <summary>A validated, immutable schema: its types by name, root types and directives.</summary>
public sealed class Schema
{
    private readonly Dictionary<string, NamedType> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<InterfaceType, List<FieldsType>> _implementations = [];
    private readonly Dictionary<NamedType, HashSet<ObjectType>> _possibleTypes = [];

    internal Schema(
        ObjectType? query,
        ObjectType? mutation,
        ObjectType? subscription,
        IEnumerable<NamedType> types,
        IReadOnlyList<DirectiveDefinition> directives,
        string? description)
    {
        QueryType = query!;
        MutationType = mutation;
        SubscriptionType = subscription;
        Directives = directives;
        Description = description;
        if (query is not null)
        {
            Collect(query);
        }

        if (mutation is not null)
        {
            Collect(mutation);
        }

        if (subscription is not null)
        {
            Collect(subscription);
        }

        foreach (var type in types)
        {
            Collect(type);
        }

        foreach (var directive in directives)
        {
            foreach (var argument in directive.Arguments)
            {
                Collect(argument.Type.GetNamedType());
            }
        }

        Collect(IntrospectionTypes.Schema);
        foreach (var type in _types.Values)
        {
            if (type is FieldsType fields)
            {
                foreach (var iface in fields.Interfaces)
                {
                    if (!_implementations.TryGetValue(iface, out var list))
                    {
                        _implementations[iface] = list = [];
                    }

                    if (!list.Contains(fields))
                    {
                        list.Add(fields);
                    }
                }
            }
        }
    }

    /// <summary>Types whose names collided (two different instances with one name); reported by validation.</summary>
    internal List<string> NameConflicts { get; } = [];

    /// <summary>The query root (required).</summary>
    public ObjectType QueryType { get; }

    /// <summary>The mutation root, if any.</summary>
    public ObjectType? MutationType { get; }

    /// <summary>The subscription root, if any.</summary>
    public ObjectType? SubscriptionType { get; }

    /// <summary>Schema description.</summary>
    public string? Description { get; }

    /// <summary>All named types, in discovery order.</summary>
    public IReadOnlyDictionary<string, NamedType> Types => _types;

    /// <summary>All directives, the specified ones first.</summary>
    public IReadOnlyList<DirectiveDefinition> Directives { get; }

    /// <summary>Looks up a type by name.</summary>
    public NamedType? GetType(string name) => _types.GetValueOrDefault(name);

    /// <summary>Looks up a directive by name.</summary>
    public DirectiveDefinition? GetDirective(string name) => Directives.FirstOrDefault(d => d.Name == name);

    /// <summary>The SDL of this schema, printed like graphql-js <c>printSchema</c>.</summary>
    public string PrintSdl() => SchemaPrinter.Print(this);

    internal ObjectType? GetRootType(Language.OperationType operation) => operation switch
    {
        Language.OperationType.Query => QueryType,
        Language.OperationType.Mutation => MutationType,
        _ => SubscriptionType,
    };

    /// <summary>Object and interface types declaring <paramref name="iface"/>.</summary>
    internal IReadOnlyList<FieldsType> GetImplementations(InterfaceType iface) =>
        _implementations.TryGetValue(iface, out var list) ? list : [];

    /// <summary>Object types an abstract type can resolve to (spec §3.7 / §3.8).</summary>
    internal IReadOnlySet<ObjectType> GetPossibleTypes(NamedType abstractType)
    {
        lock (_possibleTypes)
        {
            if (_possibleTypes.TryGetValue(abstractType, out var set))
            {
                return set;
            }

            set = abstractType switch
            {
                UnionType u => [.. u.Types],
                InterfaceType i => [.. GetImplementations(i).OfType<ObjectType>()],
                ObjectType o => [o],
                _ => [],
            };
            _possibleTypes[abstractType] = set;
            return set;
        }
    }

    /// <summary>Whether <paramref name="maybeSub"/> is a possible type or implementation of <paramref name="abstractType"/>.</summary>
    internal bool IsSubType(NamedType abstractType, NamedType maybeSub) => abstractType switch
    {
        UnionType u => maybeSub is ObjectType o && u.Types.Contains(o),
        InterfaceType i => maybeSub is FieldsType f && f.Interfaces.Contains(i),
        _ => false,
    };

    /// <summary>IsTypeSubTypeOf for field-type covariance (spec §3.6.2 IsValidImplementationFieldType).</summary>
    internal bool IsTypeSubTypeOf(IGraphType maybeSub, IGraphType super)
    {
        if (maybeSub.IsEqualType(super))
        {
            return true;
        }

        if (super is NonNullType superNonNull)
        {
            return maybeSub is NonNullType subNonNull && IsTypeSubTypeOf(subNonNull.OfType, superNonNull.OfType);
        }

        if (maybeSub is NonNullType nonNull)
        {
            return IsTypeSubTypeOf(nonNull.OfType, super);
        }

        if (super is ListType superList)
        {
            return maybeSub is ListType subList && IsTypeSubTypeOf(subList.OfType, superList.OfType);
        }

        if (maybeSub is ListType)
        {
            return false;
        }

        return super.IsAbstractType() && maybeSub is NamedType sub && (sub is InterfaceType or ObjectType)
            && IsSubType((NamedType)super, sub);
    }

    /// <summary>Whether two composite types can share an object (used by PossibleFragmentSpreads and field merging).</summary>
    internal bool DoTypesOverlap(NamedType a, NamedType b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.IsAbstractType())
        {
            if (b.IsAbstractType())
            {
                var possible = GetPossibleTypes(b);
                return GetPossibleTypes(a).Any(possible.Contains);
            }

            return b is ObjectType bo && GetPossibleTypes(a).Contains(bo);
        }

        return b.IsAbstractType() && a is ObjectType ao && GetPossibleTypes(b).Contains(ao);
    }

    private void Collect(NamedType type)
    {
        if (_types.TryGetValue(type.Name, out var existing))
        {
            if (!ReferenceEquals(existing, type))
            {
                NameConflicts.Add(type.Name);
            }

            return;
        }

        _types[type.Name] = type;
        switch (type)
        {
            case FieldsType fields:
                foreach (var iface in fields.Interfaces)
                {
                    Collect(iface);
                }

                foreach (var field in fields.Fields)
                {
                    Collect(field.Type.GetNamedType());
                    foreach (var argument in field.Arguments)
                    {
                        Collect(argument.Type.GetNamedType());
                    }
                }

                break;
            case UnionType union:
                foreach (var member in union.Types)
                {
                    Collect(member);
                }

                break;
            case InputObjectType input:
                foreach (var field in input.Fields)
                {
                    Collect(field.Type.GetNamedType());
                }

                break;
            default:
                break;
        }
    }

    /// <summary>Turns every default value into a literal once, for introspection and SDL (graphql-js astFromValue).</summary>
    internal void ComputeDefaultLiterals()
    {
        IEnumerable<InputValueDefinition> All()
        {
            foreach (var type in _types.Values)
            {
                switch (type)
                {
                    case FieldsType f:
                        foreach (var field in f.Fields)
                        {
                            foreach (var a in field.Arguments)
                            {
                                yield return a;
                            }
                        }

                        break;
                    case InputObjectType i:
                        foreach (var field in i.Fields)
                        {
                            yield return field;
                        }

                        break;
                    default:
                        break;
                }
            }

            foreach (var d in Directives)
            {
                foreach (var a in d.Arguments)
                {
                    yield return a;
                }
            }
        }

        foreach (var value in All())
        {
            if (value.HasDefaultValue && value.DefaultLiteral is null)
            {
                value.DefaultLiteral = ValueConversion.AstFromValue(value.DefaultValue, value.Type);
            }
        }
    }
}
