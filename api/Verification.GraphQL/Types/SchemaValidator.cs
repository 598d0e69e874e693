namespace Verification.GraphQL.Types;

/// <summary>
/// The type-system validation of spec §3 (what graphql-js calls validateSchema): root types, names,
/// non-empty field sets, interface implementation (§3.6.2 IsValidImplementation), union members, enum
/// values, input object non-null cycles (§3.10.1), directive definitions and argument rules.
/// </summary>
internal static class SchemaValidator
{
    public static List<string> Validate(Schema schema)
    {
        var errors = new List<string>();
        foreach (var name in schema.NameConflicts.Distinct())
        {
            errors.Add($"Schema must contain uniquely named types but contains multiple types named \"{name}\".");
        }

        if (schema.QueryType is null)
        {
            errors.Add("Query root type must be provided.");
        }

        ValidateRootsDistinct(schema, errors);
        foreach (var directive in schema.Directives)
        {
            ValidateName(directive.Name, $"@{directive.Name}", errors);
            if (directive.Locations.Count == 0)
            {
                errors.Add($"Directive @{directive.Name} must include at least one location.");
            }

            ValidateArguments(directive.Arguments, $"@{directive.Name}", errors);
        }

        if (schema.Directives.GroupBy(d => d.Name).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            errors.Add($"Directive @{duplicate.Key} can only be defined once.");
        }

        foreach (var type in schema.Types.Values)
        {
            if (!type.Name.StartsWith("__", StringComparison.Ordinal) || !IsIntrospection(type))
            {
                ValidateName(type.Name, type.Name, errors);
            }

            switch (type)
            {
                case FieldsType fields:
                    ValidateFields(schema, fields, errors);
                    ValidateInterfaces(schema, fields, errors);
                    break;
                case UnionType union:
                    ValidateUnion(union, errors);
                    break;
                case EnumType enumType:
                    ValidateEnum(enumType, errors);
                    break;
                case InputObjectType input:
                    ValidateInputObject(input, errors);
                    break;
                default:
                    break;
            }
        }

        ValidateInputCycles(schema, errors);
        return errors;
    }

    private static bool IsIntrospection(NamedType type) => Introspection.IntrospectionTypes.All.Contains(type);

    private static void ValidateRootsDistinct(Schema schema, List<string> errors)
    {
        var roots = new (string Operation, ObjectType? Type)[]
        {
            ("query", schema.QueryType), ("mutation", schema.MutationType), ("subscription", schema.SubscriptionType),
        };
        foreach (var group in roots.Where(r => r.Type is not null).GroupBy(r => r.Type!))
        {
            if (group.Count() > 1)
            {
                errors.Add($"All root types must be different, \"{group.Key.Name}\" type is used as "
                    + string.Join(" and ", group.Select(g => g.Operation)) + " root types.");
            }
        }
    }

    private static void ValidateName(string name, string what, List<string> errors)
    {
        if (name.StartsWith("__", StringComparison.Ordinal))
        {
            errors.Add($"Name \"{name}\" must not begin with \"__\", which is reserved by GraphQL introspection.");
        }
        else if (!NamedType.NameRegex().IsMatch(name))
        {
            errors.Add($"Names must only contain [_a-zA-Z0-9] but \"{name}\" ({what}) does not.");
        }
    }

    private static void ValidateFields(Schema schema, FieldsType type, List<string> errors)
    {
        if (type.Fields.Count == 0)
        {
            errors.Add($"Type {type.Name} must define one or more fields.");
        }

        foreach (var field in type.Fields)
        {
            if (!IsIntrospection(type))
            {
                ValidateName(field.Name, $"{type.Name}.{field.Name}", errors);
            }

            if (!field.Type.IsOutputType())
            {
                errors.Add($"The type of {type.Name}.{field.Name} must be Output Type but got: {field.Type}.");
            }

            if (!schema.Types.ContainsKey(field.Type.GetNamedType().Name))
            {
                errors.Add($"The type of {type.Name}.{field.Name} is not part of the schema.");
            }

            ValidateArguments(field.Arguments, $"{type.Name}.{field.Name}", errors);
        }
    }

    private static void ValidateArguments(IReadOnlyList<InputValueDefinition> arguments, string owner, List<string> errors)
    {
        foreach (var argument in arguments)
        {
            ValidateName(argument.Name, $"{owner}({argument.Name}:)", errors);
            if (!argument.Type.IsInputType())
            {
                errors.Add($"The type of {owner}({argument.Name}:) must be Input Type but got: {argument.Type}.");
            }

            if (argument.IsRequired && argument.DeprecationReason is not null)
            {
                errors.Add($"Required argument {owner}({argument.Name}:) cannot be deprecated.");
            }
        }

        foreach (var group in arguments.GroupBy(a => a.Name).Where(g => g.Count() > 1))
        {
            errors.Add($"Argument {owner}({group.Key}:) can only be defined once.");
        }
    }

    private static void ValidateInterfaces(Schema schema, FieldsType type, List<string> errors)
    {
        var seen = new HashSet<InterfaceType>();
        foreach (var iface in type.Interfaces)
        {
            if (ReferenceEquals(iface, type))
            {
                errors.Add($"Type {type.Name} cannot implement itself because it would create a circular reference.");
                continue;
            }

            if (!seen.Add(iface))
            {
                errors.Add($"Type {type.Name} can only implement {iface.Name} once.");
                continue;
            }

            foreach (var transitive in iface.Interfaces)
            {
                if (ReferenceEquals(transitive, type))
                {
                    errors.Add($"Type {type.Name} cannot implement {iface.Name} because it would create a circular reference.");
                }
                else if (!type.Interfaces.Contains(transitive))
                {
                    errors.Add($"Type {type.Name} must implement {transitive.Name} because it is implemented by {iface.Name}.");
                }
            }

            ValidateImplementation(schema, type, iface, errors);
        }
    }

    private static void ValidateImplementation(Schema schema, FieldsType type, InterfaceType iface, List<string> errors)
    {
        foreach (var ifaceField in iface.Fields)
        {
            var field = type.GetField(ifaceField.Name);
            if (field is null)
            {
                errors.Add($"Interface field {iface.Name}.{ifaceField.Name} expected but {type.Name} does not provide it.");
                continue;
            }

            if (!schema.IsTypeSubTypeOf(field.Type, ifaceField.Type))
            {
                errors.Add($"Interface field {iface.Name}.{ifaceField.Name} expects type {ifaceField.Type} "
                    + $"but {type.Name}.{field.Name} is type {field.Type}.");
            }

            foreach (var ifaceArg in ifaceField.Arguments)
            {
                var arg = field.FindArgument(ifaceArg.Name);
                if (arg is null)
                {
                    errors.Add($"Interface field argument {iface.Name}.{ifaceField.Name}({ifaceArg.Name}:) expected "
                        + $"but {type.Name}.{field.Name} does not provide it.");
                }
                else if (!arg.Type.IsEqualType(ifaceArg.Type))
                {
                    errors.Add($"Interface field argument {iface.Name}.{ifaceField.Name}({ifaceArg.Name}:) expects type {ifaceArg.Type} "
                        + $"but {type.Name}.{field.Name}({arg.Name}:) is type {arg.Type}.");
                }
            }

            foreach (var arg in field.Arguments)
            {
                if (arg.IsRequired && ifaceField.FindArgument(arg.Name) is null)
                {
                    errors.Add($"Object field {type.Name}.{field.Name} includes required argument {arg.Name} "
                        + $"that is missing from the Interface field {iface.Name}.{ifaceField.Name}.");
                }
            }
        }
    }

    private static void ValidateUnion(UnionType union, List<string> errors)
    {
        if (union.Types.Count == 0)
        {
            errors.Add($"Union type {union.Name} must define one or more member types.");
        }

        foreach (var group in union.Types.GroupBy(t => t.Name).Where(g => g.Count() > 1))
        {
            errors.Add($"Union type {union.Name} can only include type {group.Key} once.");
        }
    }

    private static void ValidateEnum(EnumType type, List<string> errors)
    {
        if (type.Values.Count == 0)
        {
            errors.Add($"Enum type {type.Name} must define one or more values.");
        }

        foreach (var value in type.Values)
        {
            ValidateName(value.Name, $"{type.Name}.{value.Name}", errors);
            if (value.Name is "true" or "false" or "null")
            {
                errors.Add($"Enum type {type.Name} cannot include value: {value.Name}.");
            }
        }
    }

    private static void ValidateInputObject(InputObjectType type, List<string> errors)
    {
        if (type.Fields.Count == 0)
        {
            errors.Add($"Input Object type {type.Name} must define one or more fields.");
        }

        foreach (var field in type.Fields)
        {
            ValidateName(field.Name, $"{type.Name}.{field.Name}", errors);
            if (!field.Type.IsInputType())
            {
                errors.Add($"The type of {type.Name}.{field.Name} must be Input Type but got: {field.Type}.");
            }

            if (field.IsRequired && field.DeprecationReason is not null)
            {
                errors.Add($"Required input field {type.Name}.{field.Name} cannot be deprecated.");
            }
        }

        foreach (var group in type.Fields.GroupBy(f => f.Name).Where(g => g.Count() > 1))
        {
            errors.Add($"Input field {type.Name}.{group.Key} can only be defined once.");
        }
    }

    /// <summary>Spec §3.10.1: an input object must not reach itself through a chain of non-null, non-list fields
    /// (no finite value could satisfy it).</summary>
    private static void ValidateInputCycles(Schema schema, List<string> errors)
    {
        var visited = new HashSet<InputObjectType>();
        var path = new List<string>();
        var pathIndex = new Dictionary<InputObjectType, int>();

        void Detect(InputObjectType type)
        {
            if (!visited.Add(type))
            {
                return;
            }

            pathIndex[type] = path.Count;
            foreach (var field in type.Fields)
            {
                if (field.Type is NonNullType { OfType: InputObjectType target })
                {
                    path.Add(field.Name);
                    if (pathIndex.TryGetValue(target, out var start))
                    {
                        errors.Add($"Cannot reference Input Object \"{target.Name}\" within itself through a series of non-null fields: "
                            + $"\"{string.Join(".", path.Skip(start))}\".");
                    }
                    else
                    {
                        Detect(target);
                    }

                    path.RemoveAt(path.Count - 1);
                }
            }

            pathIndex.Remove(type);
        }

        foreach (var type in schema.Types.Values.OfType<InputObjectType>())
        {
            Detect(type);
        }
    }
}
