using Xunit.Abstractions;
using Xunit.Sdk;

namespace Verification.Silo.Tests.Storage;

/// <summary>
/// A fact that is skipped when its test class needs an external resource named by
/// <see cref="RequiresEnvironmentAttribute"/> and the variable is not set — except under CI (<c>CI=true</c>),
/// where the test runs and fails, so that a missing database never turns into a silent green run.
/// Plain <c>[Fact(Skip=…)]</c> cannot do this: the contract tests live in a base class shared by providers.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Verification.Silo.Tests.Storage.StorageFactDiscoverer", "Verification.Silo.Tests")]
public sealed class StorageFactAttribute : FactAttribute;

/// <summary>The test class needs the environment variable <see cref="Variable"/> (e.g. a database connection string).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresEnvironmentAttribute(string variable) : Attribute
{
    public string Variable { get; } = variable;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

public sealed class StorageFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _facts = new(diagnosticMessageSink);

    public IEnumerable<IXunitTestCase> Discover(
        ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        ArgumentNullException.ThrowIfNull(testMethod);
        var requirement = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresEnvironmentAttribute)).FirstOrDefault();
        var variable = requirement?.GetConstructorArguments().FirstOrDefault() as string;
        var missing = variable is not null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable));
        if (missing && !RequiresEnvironmentAttribute.IsCi)
        {
            return
            [
                new XunitSkippedDataRowTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                    discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod,
                    $"{variable} is not set (./test.sh sets it; under CI=true this test fails instead)"),
            ];
        }

        return _facts.Discover(discoveryOptions, testMethod, factAttribute);
    }
}
