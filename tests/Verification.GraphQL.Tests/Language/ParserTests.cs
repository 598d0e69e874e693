using Verification.GraphQL.Language;

namespace Verification.GraphQL.Tests.Language;

public sealed class ParserTests
{
    [Fact]
    public void Parse_KitchenSinkQuery_PrintsCanonically()
    {
        const string source = """"
            query Q($id: ID! = "x" @tag(name: "v"), $list: [Int!]! = [1, 2]) @tag(name: "q") {
              alias: node(id: $id) { id ... on Named @once { name } ...F @tag(name: "s") }
              other: people(filter: {minAge: 3, colors: [RED, GREEN], nameStartsWith: null, legacy: true}) { name }
              floats: echoFloat(value: -1.5e3)
              block: hello(name: """
                multi
                line
              """)
              ... @skip(if: false) { hello }
            }
            fragment F on Named { name }
            mutation { increment }
            subscription S { count(to: 1) }
            """";
        var sut = Parser.Parse(source);
        Assert.Equal(
            """"
            query Q($id: ID! = "x" @tag(name: "v"), $list: [Int!]! = [1, 2]) @tag(name: "q") {
              alias: node(id: $id) {
                id
                ... on Named @once {
                  name
                }
                ...F @tag(name: "s")
              }
              other: people(
                filter: {minAge: 3, colors: [RED, GREEN], nameStartsWith: null, legacy: true}
              ) {
                name
              }
              floats: echoFloat(value: -1.5e3)
              block: hello(name: """
              multi
              line
              """)
              ... @skip(if: false) {
                hello
              }
            }

            fragment F on Named {
              name
            }

            mutation {
              increment
            }

            subscription S {
              count(to: 1)
            }
            """",
            Printer.Print(sut));
    }

    [Fact]
    public void Parse_Shorthand_IsAnonymousQueryWithLocation()
    {
        var sut = Parser.Parse("  { a }");
        var operation = Assert.IsType<OperationDefinitionNode>(Assert.Single(sut.Definitions));
        Assert.Equal(OperationType.Query, operation.Operation);
        Assert.Null(operation.Name);
        Assert.Equal(new Location(2, 7, 1, 3), operation.Location);
        var field = Assert.IsType<FieldNode>(Assert.Single(operation.SelectionSet.Selections));
        Assert.Equal(new Location(4, 5, 1, 5), field.Location);
    }

    [Fact]
    public void Parse_PrintedOutput_RoundTripsToSameText()
    {
        const string source = "query($a: [[String]!] = [[\"x\"]]) { f(a: $a, o: {k: {n: 1.0}}) @include(if: true) { ...on T { x } } }";
        var printed = Printer.Print(Parser.Parse(source));
        Assert.Equal(printed, Printer.Print(Parser.Parse(printed)));
    }

    [Fact]
    public void Parse_TypeSystemDocument_ParsesEveryDefinitionKind()
    {
        const string sdl = """"
            "desc" schema @a { query: Q mutation: M }
            scalar S @specifiedBy(url: "u")
            """block""" type T implements & I & J @d { f(a: Int = 1 @x): [T!]! }
            interface I implements J { f: Int }
            union U = | A | B
            enum E { A "b" B @deprecated }
            input In { a: Int = 2, b: [In] }
            directive @d(a: Int) repeatable on FIELD | OBJECT
            extend type T { g: Int }
            extend schema @b
            """";
        var sut = Parser.Parse(sdl);
        Assert.Equal(10, sut.Definitions.Count);
        Assert.True(((TypeSystemDefinitionNode)sut.Definitions[8]).IsExtension);
        Assert.True(Assert.IsType<DirectiveDefinitionNode>(sut.Definitions[7]).Repeatable);
        Assert.Equal("block", Assert.IsType<ObjectTypeDefinitionNode>(sut.Definitions[2]).Description!.Value);
    }

    [Theory]
    [InlineData("", "Syntax Error: Unexpected <EOF>.", 1, 1)]
    [InlineData("{", "Syntax Error: Expected Name, found <EOF>.", 1, 2)]
    [InlineData("{ a(b: ) }", "Syntax Error: Unexpected \")\".", 1, 8)]
    [InlineData("query Q($a: Int = $b) { a }", "Syntax Error: Unexpected variable \"$b\" in constant value.", 1, 19)]
    [InlineData("fragment on on T { a }", "Syntax Error: Unexpected Name \"on\".", 1, 10)]
    [InlineData("{ ...on }", "Syntax Error: Expected Name, found \"}\".", 1, 9)]
    [InlineData("notAKeyword { a }", "Syntax Error: Unexpected Name \"notAKeyword\".", 1, 1)]
    [InlineData("\"desc\" query { a }", "Syntax Error: Unexpected description, descriptions are supported only on type definitions.", 1, 1)]
    [InlineData("{ a }\n}", "Syntax Error: Unexpected \"}\".", 2, 1)]
    [InlineData("query Q($a) { a }", "Syntax Error: Expected \":\", found \")\".", 1, 11)]
    [InlineData("directive @d on NOWHERE", "Syntax Error: Unexpected Name \"NOWHERE\".", 1, 17)]
    [InlineData("enum E { true }", "Syntax Error: Name \"true\" is reserved and cannot be used for an enum value.", 1, 10)]
    public void Parse_InvalidDocument_ThrowsWithLocation(string source, string message, int line, int column)
    {
        var error = Assert.Throws<GraphQLSyntaxException>(() => Parser.Parse(source));
        Assert.Equal(message, error.Message);
        Assert.Equal(new SourceLocation(line, column), error.Location);
    }

    [Fact]
    public void Parse_TooLong_ThrowsLimitError()
    {
        var error = Assert.Throws<GraphQLSyntaxException>(() => Parser.Parse("{ a }", new ParserOptions { MaxLength = 3 }));
        Assert.Equal("Syntax Error: Document exceeds the maximum length of 3 characters.", error.Message);
        Assert.Equal(ErrorCodes.LimitExceeded, error.ToError().Code);
    }

    [Fact]
    public void Parse_TooManyTokens_ThrowsLimitError()
    {
        var error = Assert.Throws<GraphQLSyntaxException>(() => Parser.Parse("{ a b c d }", new ParserOptions { MaxTokens = 4 }));
        Assert.Equal("Syntax Error: Document contains more than 4 tokens. Parsing aborted.", error.Message);
        Assert.Equal(new SourceLocation(1, 9), error.Location);
    }

    [Fact]
    public void Parse_TooDeep_ThrowsLimitError()
    {
        var error = Assert.Throws<GraphQLSyntaxException>(() => Parser.Parse("{ a { b { c } } }", new ParserOptions { MaxDepth = 2 }));
        Assert.Equal("Syntax Error: Document nesting exceeds the maximum depth of 2.", error.Message);
    }

    [Fact]
    public void Parse_DeepListValue_CountsTowardsDepth()
    {
        Assert.Throws<GraphQLSyntaxException>(() => Parser.Parse("{ a(b: [[[[1]]]]) }", new ParserOptions { MaxDepth = 3 }));
        Assert.Equal(16, Parser.Parse("{ a(b: [[[[1]]]]) }", new ParserOptions { MaxDepth = 6 }).TokenCount);
    }

    [Fact]
    public void ParseType_NestedWrappers_PrintsBack()
    {
        Assert.Equal("[[Int!]]!", Printer.Print(Parser.ParseType("[ [ Int ! ] ] !")));
    }
}
