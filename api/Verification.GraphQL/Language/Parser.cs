namespace Verification.GraphQL.Language;

/// <summary>
/// Recursive-descent parser for the syntactic grammar of spec §2 (executable definitions) and §3
/// (type system definitions and extensions), with length, token and depth limits.
/// </summary>
internal sealed class Parser
{
    private readonly Lexer _lexer;
    private readonly ParserOptions _options;
    private Token _token;
    private Token _previous;
    private int _tokenCount;
    private int _depth;

    private Parser(string source, ParserOptions options)
    {
        _lexer = new Lexer(source);
        _options = options;
        _token = new Token(TokenKind.StartOfFile, 0, 0, 1, 1, null);
        Advance();
    }

    public static DocumentNode Parse(string source, ParserOptions? options = null)
    {
        options ??= ParserOptions.Default;
        if (source.Length > options.MaxLength)
        {
            throw new GraphQLSyntaxException(
                $"Document exceeds the maximum length of {options.MaxLength} characters.", new SourceLocation(1, 1)) { IsLimit = true };
        }

        var parser = new Parser(source, options);
        return parser.ParseDocument();
    }

    /// <summary>Parses a single value literal (used for default values given as text).</summary>
    public static ValueNode ParseValue(string source)
    {
        var parser = new Parser(source, ParserOptions.Default);
        var value = parser.ParseValueLiteral(false);
        parser.Expect(TokenKind.EndOfFile);
        return value;
    }

    /// <summary>Parses a type reference such as <c>[Int!]!</c>.</summary>
    public static TypeNode ParseType(string source)
    {
        var parser = new Parser(source, ParserOptions.Default);
        var type = parser.ParseTypeReference();
        parser.Expect(TokenKind.EndOfFile);
        return type;
    }

    private void Advance()
    {
        _previous = _token;
        _token = _lexer.Next();
        if (_token.Kind != TokenKind.EndOfFile && ++_tokenCount > _options.MaxTokens)
        {
            throw new GraphQLSyntaxException(
                $"Document contains more than {_options.MaxTokens} tokens. Parsing aborted.", Loc(_token)) { IsLimit = true };
        }
    }

    private static SourceLocation Loc(Token token) => new(token.Line, token.Column);

    private Location Start() => new(_token.Start, _token.End, _token.Line, _token.Column);

    private Location Finish(Location start) => start with { End = _previous.End };

    private bool Peek(TokenKind kind) => _token.Kind == kind;

    private bool PeekKeyword(string value) => _token.Kind == TokenKind.Name && _token.Value == value;

    private Token Expect(TokenKind kind)
    {
        var token = _token;
        if (token.Kind != kind)
        {
            throw new GraphQLSyntaxException($"Expected {Token.Describe(kind)}, found {token.Description}.", Loc(token));
        }

        Advance();
        return token;
    }

    private bool Skip(TokenKind kind)
    {
        if (_token.Kind != kind)
        {
            return false;
        }

        Advance();
        return true;
    }

    private void ExpectKeyword(string value)
    {
        if (!PeekKeyword(value))
        {
            throw new GraphQLSyntaxException($"Expected \"{value}\", found {_token.Description}.", Loc(_token));
        }

        Advance();
    }

    private bool SkipKeyword(string value)
    {
        if (!PeekKeyword(value))
        {
            return false;
        }

        Advance();
        return true;
    }

    private GraphQLSyntaxException Unexpected(Token? token = null)
    {
        var t = token ?? _token;
        return new GraphQLSyntaxException($"Unexpected {t.Description}.", Loc(t));
    }

    private void Enter()
    {
        if (++_depth > _options.MaxDepth)
        {
            throw new GraphQLSyntaxException($"Document nesting exceeds the maximum depth of {_options.MaxDepth}.", Loc(_token)) { IsLimit = true };
        }
    }

    private void Exit() => _depth--;

    /// <summary>Parses <c>open item* close</c>; at least one item when <paramref name="nonEmpty"/>.</summary>
    private List<T> Many<T>(TokenKind open, Func<T> item, TokenKind close, bool nonEmpty)
    {
        Expect(open);
        var items = new List<T>();
        if (nonEmpty)
        {
            items.Add(item());
        }

        while (!Skip(close))
        {
            items.Add(item());
        }

        return items;
    }

    private DocumentNode ParseDocument()
    {
        var start = Start();
        var definitions = new List<DefinitionNode>();
        do
        {
            definitions.Add(ParseDefinition());
        }
        while (!Peek(TokenKind.EndOfFile));

        return new DocumentNode(definitions) { Location = Finish(start), TokenCount = _tokenCount };
    }

    private DefinitionNode ParseDefinition()
    {
        if (Peek(TokenKind.BraceL))
        {
            return ParseOperationDefinition();
        }

        var hasDescription = Peek(TokenKind.String) || Peek(TokenKind.BlockString);
        var keyword = hasDescription ? PeekAfterDescription() : _token;
        if (keyword.Kind == TokenKind.Name)
        {
            switch (keyword.Value)
            {
                case "schema":
                case "scalar":
                case "type":
                case "interface":
                case "union":
                case "enum":
                case "input":
                case "directive":
                    return ParseTypeSystemDefinition();
                case "extend" when !hasDescription:
                    return ParseTypeSystemExtension();
                case "query" or "mutation" or "subscription" when !hasDescription:
                    return ParseOperationDefinition();
                case "fragment" when !hasDescription:
                    return ParseFragmentDefinition();
                default:
                    break;
            }

            if (hasDescription)
            {
                throw new GraphQLSyntaxException(
                    "Unexpected description, descriptions are supported only on type definitions.", Loc(_token));
            }
        }

        throw Unexpected(keyword);
    }

    // Descriptions are a single string token: the keyword that decides the definition kind is the next one.
    private Token PeekAfterDescription() => _lexer.Fork().Next();

    private OperationDefinitionNode ParseOperationDefinition()
    {
        var start = Start();
        if (Peek(TokenKind.BraceL))
        {
            return new OperationDefinitionNode(OperationType.Query, null, [], [], ParseSelectionSet()) { Location = Finish(start) };
        }

        var operation = ParseOperationType();
        NameNode? name = Peek(TokenKind.Name) ? ParseName() : null;
        var variables = Peek(TokenKind.ParenL) ? Many(TokenKind.ParenL, ParseVariableDefinition, TokenKind.ParenR, true) : [];
        var directives = ParseDirectives(false);
        var selectionSet = ParseSelectionSet();
        return new OperationDefinitionNode(operation, name, variables, directives, selectionSet) { Location = Finish(start) };
    }

    private OperationType ParseOperationType()
    {
        var token = Expect(TokenKind.Name);
        return token.Value switch
        {
            "query" => OperationType.Query,
            "mutation" => OperationType.Mutation,
            "subscription" => OperationType.Subscription,
            _ => throw Unexpected(token),
        };
    }

    private VariableDefinitionNode ParseVariableDefinition()
    {
        var start = Start();
        var variable = ParseVariable();
        Expect(TokenKind.Colon);
        var type = ParseTypeReference();
        ValueNode? defaultValue = Skip(TokenKind.EqualsSign) ? ParseValueLiteral(true) : null;
        var directives = ParseDirectives(true);
        return new VariableDefinitionNode(variable, type, defaultValue, directives) { Location = Finish(start) };
    }

    private VariableNode ParseVariable()
    {
        var start = Start();
        Expect(TokenKind.Dollar);
        return new VariableNode(ParseName()) { Location = Finish(start) };
    }

    private NameNode ParseName()
    {
        var start = Start();
        var token = Expect(TokenKind.Name);
        return new NameNode(token.Value!) { Location = Finish(start) };
    }

    private SelectionSetNode ParseSelectionSet()
    {
        Enter();
        var start = Start();
        var selections = Many(TokenKind.BraceL, ParseSelection, TokenKind.BraceR, true);
        Exit();
        return new SelectionSetNode(selections) { Location = Finish(start) };
    }

    private SelectionNode ParseSelection() => Peek(TokenKind.Spread) ? ParseFragment() : ParseField();

    private FieldNode ParseField()
    {
        var start = Start();
        var nameOrAlias = ParseName();
        NameNode? alias = null;
        var name = nameOrAlias;
        if (Skip(TokenKind.Colon))
        {
            alias = nameOrAlias;
            name = ParseName();
        }

        var arguments = ParseArguments(false);
        var directives = ParseDirectives(false);
        var selectionSet = Peek(TokenKind.BraceL) ? ParseSelectionSet() : null;
        return new FieldNode(alias, name, arguments, directives, selectionSet) { Location = Finish(start) };
    }

    private IReadOnlyList<ArgumentNode> ParseArguments(bool isConst) =>
        Peek(TokenKind.ParenL) ? Many(TokenKind.ParenL, () => ParseArgument(isConst), TokenKind.ParenR, true) : [];

    private ArgumentNode ParseArgument(bool isConst)
    {
        var start = Start();
        var name = ParseName();
        Expect(TokenKind.Colon);
        return new ArgumentNode(name, ParseValueLiteral(isConst)) { Location = Finish(start) };
    }

    private SelectionNode ParseFragment()
    {
        var start = Start();
        Expect(TokenKind.Spread);
        var hasTypeCondition = SkipKeyword("on");
        if (!hasTypeCondition && Peek(TokenKind.Name))
        {
            var name = ParseFragmentName();
            return new FragmentSpreadNode(name, ParseDirectives(false)) { Location = Finish(start) };
        }

        var typeCondition = hasTypeCondition ? ParseNamedType() : null;
        var directives = ParseDirectives(false);
        return new InlineFragmentNode(typeCondition, directives, ParseSelectionSet()) { Location = Finish(start) };
    }

    private FragmentDefinitionNode ParseFragmentDefinition()
    {
        var start = Start();
        ExpectKeyword("fragment");
        var name = ParseFragmentName();
        ExpectKeyword("on");
        var typeCondition = ParseNamedType();
        var directives = ParseDirectives(false);
        return new FragmentDefinitionNode(name, typeCondition, directives, ParseSelectionSet()) { Location = Finish(start) };
    }

    private NameNode ParseFragmentName()
    {
        if (PeekKeyword("on"))
        {
            throw Unexpected();
        }

        return ParseName();
    }

    /// <summary>Value[Const] (spec §2.9); variables are rejected in constant positions.</summary>
    private ValueNode ParseValueLiteral(bool isConst)
    {
        var token = _token;
        var start = Start();
        switch (token.Kind)
        {
            case TokenKind.BracketL:
                {
                    Enter();
                    var values = Many(TokenKind.BracketL, () => ParseValueLiteral(isConst), TokenKind.BracketR, false);
                    Exit();
                    return new ListValueNode(values) { Location = Finish(start) };
                }

            case TokenKind.BraceL:
                {
                    Enter();
                    var fields = Many(TokenKind.BraceL, () => ParseObjectField(isConst), TokenKind.BraceR, false);
                    Exit();
                    return new ObjectValueNode(fields) { Location = Finish(start) };
                }

            case TokenKind.Int:
                Advance();
                return new IntValueNode(token.Value!) { Location = Finish(start) };
            case TokenKind.Float:
                Advance();
                return new FloatValueNode(token.Value!) { Location = Finish(start) };
            case TokenKind.String:
            case TokenKind.BlockString:
                return ParseStringLiteral();
            case TokenKind.Name:
                Advance();
                return token.Value switch
                {
                    "true" => new BooleanValueNode(true) { Location = Finish(start) },
                    "false" => new BooleanValueNode(false) { Location = Finish(start) },
                    "null" => new NullValueNode { Location = Finish(start) },
                    _ => new EnumValueNode(token.Value!) { Location = Finish(start) },
                };
            case TokenKind.Dollar:
                if (isConst)
                {
                    Advance();
                    if (Peek(TokenKind.Name))
                    {
                        throw new GraphQLSyntaxException($"Unexpected variable \"${_token.Value}\" in constant value.", Loc(token));
                    }

                    throw Unexpected(token);
                }

                return ParseVariable();
            default:
                throw Unexpected();
        }
    }

    private StringValueNode ParseStringLiteral()
    {
        var start = Start();
        var token = _token;
        Advance();
        return new StringValueNode(token.Value!, token.Kind == TokenKind.BlockString) { Location = Finish(start) };
    }

    private ObjectFieldNode ParseObjectField(bool isConst)
    {
        var start = Start();
        var name = ParseName();
        Expect(TokenKind.Colon);
        return new ObjectFieldNode(name, ParseValueLiteral(isConst)) { Location = Finish(start) };
    }

    private List<DirectiveNode> ParseDirectives(bool isConst)
    {
        var directives = new List<DirectiveNode>();
        while (Peek(TokenKind.At))
        {
            var start = Start();
            Advance();
            var name = ParseName();
            directives.Add(new DirectiveNode(name, ParseArguments(isConst)) { Location = Finish(start) });
        }

        return directives;
    }

    /// <summary>Type (spec §2.11): NamedType, ListType or NonNullType.</summary>
    private TypeNode ParseTypeReference()
    {
        var start = Start();
        TypeNode type;
        if (Skip(TokenKind.BracketL))
        {
            Enter();
            var inner = ParseTypeReference();
            Expect(TokenKind.BracketR);
            Exit();
            type = new ListTypeNode(inner) { Location = Finish(start) };
        }
        else
        {
            type = ParseNamedType();
        }

        return Skip(TokenKind.Bang) ? new NonNullTypeNode(type) { Location = Finish(start) } : type;
    }

    private NamedTypeNode ParseNamedType()
    {
        var start = Start();
        return new NamedTypeNode(ParseName()) { Location = Finish(start) };
    }

    // ---- Type system (spec §3) ----

    private StringValueNode? ParseDescription() =>
        Peek(TokenKind.String) || Peek(TokenKind.BlockString) ? ParseStringLiteral() : null;

    private TypeSystemDefinitionNode ParseTypeSystemDefinition()
    {
        var start = Start();
        var description = ParseDescription();
        var keyword = _token;
        TypeSystemDefinitionNode node = keyword.Value switch
        {
            "schema" => ParseSchemaDefinition(description, false),
            "scalar" => ParseScalar(description),
            "type" => ParseObjectLike(description, false),
            "interface" => ParseObjectLike(description, true),
            "union" => ParseUnion(description),
            "enum" => ParseEnum(description),
            "input" => ParseInputObject(description),
            "directive" => ParseDirectiveDefinition(description),
            _ => throw Unexpected(keyword),
        };
        return node with { Location = Finish(start) };
    }

    private TypeSystemDefinitionNode ParseTypeSystemExtension()
    {
        var start = Start();
        ExpectKeyword("extend");
        var keyword = _token;
        TypeSystemDefinitionNode node = keyword.Value switch
        {
            "schema" => ParseSchemaDefinition(null, true),
            "scalar" => ParseScalar(null),
            "type" => ParseObjectLike(null, false),
            "interface" => ParseObjectLike(null, true),
            "union" => ParseUnion(null),
            "enum" => ParseEnum(null),
            "input" => ParseInputObject(null),
            _ => throw Unexpected(keyword),
        };
        return node with { Location = Finish(start), IsExtension = true };
    }

    private SchemaDefinitionNode ParseSchemaDefinition(StringValueNode? description, bool isExtension)
    {
        ExpectKeyword("schema");
        var directives = ParseDirectives(true);
        var operations = isExtension && !Peek(TokenKind.BraceL)
            ? []
            : Many(TokenKind.BraceL, ParseOperationTypeDefinition, TokenKind.BraceR, true);
        return new SchemaDefinitionNode(description, directives, operations);
    }

    private OperationTypeDefinitionNode ParseOperationTypeDefinition()
    {
        var start = Start();
        var operation = ParseOperationType();
        Expect(TokenKind.Colon);
        return new OperationTypeDefinitionNode(operation, ParseNamedType()) { Location = Finish(start) };
    }

    private ScalarTypeDefinitionNode ParseScalar(StringValueNode? description)
    {
        ExpectKeyword("scalar");
        return new ScalarTypeDefinitionNode(description, ParseName(), ParseDirectives(true));
    }

    private ObjectTypeDefinitionNode ParseObjectLike(StringValueNode? description, bool isInterface)
    {
        ExpectKeyword(isInterface ? "interface" : "type");
        var name = ParseName();
        var interfaces = new List<NamedTypeNode>();
        if (SkipKeyword("implements"))
        {
            Skip(TokenKind.Amp);
            do
            {
                interfaces.Add(ParseNamedType());
            }
            while (Skip(TokenKind.Amp));
        }

        var directives = ParseDirectives(true);
        var fields = Peek(TokenKind.BraceL) ? Many(TokenKind.BraceL, ParseFieldDefinition, TokenKind.BraceR, false) : [];
        return new ObjectTypeDefinitionNode(description, name, interfaces, directives, fields, isInterface);
    }

    private FieldDefinitionNode ParseFieldDefinition()
    {
        var start = Start();
        var description = ParseDescription();
        var name = ParseName();
        var arguments = Peek(TokenKind.ParenL) ? Many(TokenKind.ParenL, ParseInputValueDefinition, TokenKind.ParenR, true) : [];
        Expect(TokenKind.Colon);
        var type = ParseTypeReference();
        return new FieldDefinitionNode(description, name, arguments, type, ParseDirectives(true)) { Location = Finish(start) };
    }

    private InputValueDefinitionNode ParseInputValueDefinition()
    {
        var start = Start();
        var description = ParseDescription();
        var name = ParseName();
        Expect(TokenKind.Colon);
        var type = ParseTypeReference();
        ValueNode? defaultValue = Skip(TokenKind.EqualsSign) ? ParseValueLiteral(true) : null;
        return new InputValueDefinitionNode(description, name, type, defaultValue, ParseDirectives(true)) { Location = Finish(start) };
    }

    private UnionTypeDefinitionNode ParseUnion(StringValueNode? description)
    {
        ExpectKeyword("union");
        var name = ParseName();
        var directives = ParseDirectives(true);
        var types = new List<NamedTypeNode>();
        if (Skip(TokenKind.EqualsSign))
        {
            Skip(TokenKind.Pipe);
            do
            {
                types.Add(ParseNamedType());
            }
            while (Skip(TokenKind.Pipe));
        }

        return new UnionTypeDefinitionNode(description, name, directives, types);
    }

    private EnumTypeDefinitionNode ParseEnum(StringValueNode? description)
    {
        ExpectKeyword("enum");
        var name = ParseName();
        var directives = ParseDirectives(true);
        var values = Peek(TokenKind.BraceL) ? Many(TokenKind.BraceL, ParseEnumValueDefinition, TokenKind.BraceR, false) : [];
        return new EnumTypeDefinitionNode(description, name, directives, values);
    }

    private EnumValueDefinitionNode ParseEnumValueDefinition()
    {
        var start = Start();
        var description = ParseDescription();
        if (_token.Value is "true" or "false" or "null")
        {
            throw new GraphQLSyntaxException($"{_token.Description} is reserved and cannot be used for an enum value.", Loc(_token));
        }

        var name = ParseName();
        return new EnumValueDefinitionNode(description, name, ParseDirectives(true)) { Location = Finish(start) };
    }

    private InputObjectTypeDefinitionNode ParseInputObject(StringValueNode? description)
    {
        ExpectKeyword("input");
        var name = ParseName();
        var directives = ParseDirectives(true);
        var fields = Peek(TokenKind.BraceL) ? Many(TokenKind.BraceL, ParseInputValueDefinition, TokenKind.BraceR, false) : [];
        return new InputObjectTypeDefinitionNode(description, name, directives, fields);
    }

    private DirectiveDefinitionNode ParseDirectiveDefinition(StringValueNode? description)
    {
        ExpectKeyword("directive");
        Expect(TokenKind.At);
        var name = ParseName();
        var arguments = Peek(TokenKind.ParenL) ? Many(TokenKind.ParenL, ParseInputValueDefinition, TokenKind.ParenR, true) : [];
        var repeatable = SkipKeyword("repeatable");
        ExpectKeyword("on");
        Skip(TokenKind.Pipe);
        var locations = new List<NameNode>();
        do
        {
            var location = ParseName();
            if (!DirectiveLocationNames.Contains(location.Value))
            {
                throw new GraphQLSyntaxException($"Unexpected Name \"{location.Value}\".", location.Location.ToSource());
            }

            locations.Add(location);
        }
        while (Skip(TokenKind.Pipe));

        return new DirectiveDefinitionNode(description, name, arguments, repeatable, locations);
    }

    internal static readonly HashSet<string> DirectiveLocationNames =
    [
        "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD", "INLINE_FRAGMENT",
        "VARIABLE_DEFINITION", "SCHEMA", "SCALAR", "OBJECT", "FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INTERFACE",
        "UNION", "ENUM", "ENUM_VALUE", "INPUT_OBJECT", "INPUT_FIELD_DEFINITION",
    ];
}
