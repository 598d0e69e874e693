using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation;

/// <summary>
/// One validation rule of spec §5. A fresh instance is created per validation run; the walker calls
/// <see cref="Enter"/> and <see cref="Leave"/> for every node in document order, after <see cref="TypeInfo"/>
/// has entered it. Returning false from <see cref="Enter"/> skips the node's subtree for this rule only.
/// </summary>
internal abstract class ValidationRule
{
    /// <summary>The graphql-js rule name without the "Rule" suffix, e.g. "FieldsOnCorrectType".</summary>
    public abstract string Name { get; }

    public ValidationContext Context { get; set; } = null!;

    public virtual bool Enter(SyntaxNode node) => true;

    public virtual void Leave(SyntaxNode node)
    {
    }

    protected void Report(string message, params SyntaxNode[] nodes) => Context.Report(Name, message, nodes);
}
