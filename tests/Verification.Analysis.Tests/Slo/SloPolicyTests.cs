using Verification.Analysis.Slo;

namespace Verification.Analysis.Tests.Slo;

public sealed class SloPolicyTests
{
    private static readonly RollingWindow Window = new(TimeSpan.FromDays(28));

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void Constructor_TargetOutsideOpenUnitInterval_Throws(double target)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SloPolicy(target, Window));
    }

    [Fact]
    public void Constructor_TimeslicesWithoutSliceWindow_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SloPolicy(0.99, Window, BudgetingMethod.Timeslices, 0.9));
    }

    [Fact]
    public void Constructor_SliceSettingsWithOccurrences_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SloPolicy(0.99, Window, BudgetingMethod.Occurrences, 0.9, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void ErrorBudget_Target_OneMinusTarget()
    {
        var sut = new SloPolicy(0.9375, Window);

        Assert.Equal(0.0625, sut.ErrorBudget);
    }
}
