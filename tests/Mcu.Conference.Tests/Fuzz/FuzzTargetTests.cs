using Mcu.Fuzz;

namespace Mcu.Conference.Tests.Fuzz;

/// <summary>Every fuzz target over random and mutated inputs: none may throw an exception it does not document.</summary>
public class FuzzTargetTests
{
    [Fact]
    public void No_target_throws_on_random_or_mutated_input()
    {
        var ran = Smoke.RunAll(inputsPerTarget: 5000, seed: 42).ToList();
        Assert.Equal(FuzzTargets.All.Keys.Order(), ran.Select(r => r.Target).Order());
        Assert.All(ran, r => Assert.Equal(5000, r.Runs));
    }
}
