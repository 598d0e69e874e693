namespace Verification.GraphQL.Types;

/// <summary>Resolves one field's value from its parent (spec §6.4.2 ResolveFieldValue).</summary>
public delegate ValueTask<object?> FieldResolver(ResolveFieldContext context);

/// <summary>Resolves a subscription root field to its source event stream (spec §6.2.3.1 ResolveFieldEventStream).</summary>
public delegate ValueTask<IAsyncEnumerable<object?>> SubscriptionResolver(ResolveFieldContext context);
