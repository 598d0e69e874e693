namespace Verification.Silo.Runtime;

/// <summary>Which implementation serves which grain interface, and under which type name it is stored.</summary>
internal sealed class GrainTypeRegistry
{
    private readonly Dictionary<Type, GrainType> _byInterface = [];

    public void Add(Type grainInterface, Type implementation, string typeName)
    {
        if (!grainInterface.IsInterface || !grainInterface.IsAssignableFrom(implementation))
        {
            throw new ArgumentException($"{implementation} does not implement the grain interface {grainInterface}.");
        }

        if (!typeof(IGrainLifecycle).IsAssignableFrom(implementation))
        {
            throw new ArgumentException($"{implementation} must derive from Grain<TState>.");
        }

        if (_byInterface.Values.Any(t => t.Name == typeName))
        {
            throw new ArgumentException($"The grain type name '{typeName}' is registered twice.");
        }

        _byInterface.Add(grainInterface, new GrainType(typeName, implementation));
    }

    public GrainType Get(Type grainInterface) =>
        _byInterface.TryGetValue(grainInterface, out var type)
            ? type
            : throw new InvalidOperationException($"No grain implementation is registered for {grainInterface}.");
}

/// <summary>A registered grain type: its stored name and its implementation.</summary>
internal sealed record GrainType(string Name, Type Implementation);
