namespace OpenMcpChain.AgentService.Infrastructure;

/// <summary>The limits of a profile that names none of its own, stated once for the entity, its seed and the profiles API.</summary>
public static class ProfileDefaults
{
    public const int MaxSteps = 8;
    public const int StepTimeoutSeconds = 30;
    public const int TaskTimeoutSeconds = 120;
}
