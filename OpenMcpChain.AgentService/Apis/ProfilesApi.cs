using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.AgentService.Infrastructure;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Agent profiles: <c>GET /api/v1/profiles</c>, <c>GET/PUT /api/v1/profiles/{name}</c>.</summary>
public static class ProfilesApi
{
    public sealed record ProfileBody(
        string? SystemPrompt, string? Model, List<string>? AllowedTools, int? MaxSteps, int? StepTimeoutSeconds, int? TaskTimeoutSeconds);

    public sealed record ProfileResponse(
        string Name, string SystemPrompt, string? Model, List<string>? AllowedTools, int MaxSteps, int StepTimeoutSeconds, int TaskTimeoutSeconds);

    public static RouteGroupBuilder MapProfilesApiV1(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/profiles").WithTags("Profiles");
        api.MapGet("/", async (AgentDbContext db, CancellationToken ct) =>
                TypedResults.Ok((await db.Profiles.AsNoTracking().OrderBy(p => p.Name).ToListAsync(ct)).Select(ToResponse).ToList()))
            .WithName("ListProfiles").WithSummary("List agent profiles")
            .WithDescription("The profiles a task may name in `profile`: system prompt, model, allowed tools and step limits. " +
                             "A task without one runs with `default`.")
            .ResponseExample(200, new[] { Example });
        api.MapGet("/{name}", async Task<Results<Ok<ProfileResponse>, ProblemHttpResult>> (string name, AgentDbContext db, CancellationToken ct) =>
                await db.Profiles.AsNoTracking().SingleOrDefaultAsync(p => p.Name == name, ct) is { } profile
                    ? TypedResults.Ok(ToResponse(profile))
                    : ApiErrors.Problem(404, ErrorCodes.ProfileNotFound, $"There is no agent profile '{name}'."))
            .WithName("GetProfile").WithSummary("Read an agent profile").ResponseExample(200, Example)
            .ProducesErrors(404, ErrorCodes.ProfileNotFound);
        // Changed only inside (the Gateway does not forward it), so it stays out of the public reference.
        api.MapPut("/{name}", PutAsync).WithName("PutProfile").WithSummary("Create or replace an agent profile")
            .ProducesErrors(400, ErrorCodes.InvalidArgument);
        return api;
    }

    /// <summary>Creates or replaces a profile; tasks that name it afterwards run with it.</summary>
    private static async Task<Results<Ok<ProfileResponse>, ProblemHttpResult>> PutAsync(string name, ProfileBody? body, AgentDbContext db, CancellationToken ct)
    {
        if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, "A profile name is 1 to 64 letters, digits, '-' or '_'.");
        if (body is null || string.IsNullOrWhiteSpace(body.SystemPrompt) || body.SystemPrompt.Length > 8000)
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, "system_prompt is required (at most 8000 characters).");
        if (body.MaxSteps is < 1 or > 50 || body.StepTimeoutSeconds is < 1 or > 600 || body.TaskTimeoutSeconds is < 1 or > 3600)
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, "max_steps is 1–50, step_timeout_seconds 1–600, task_timeout_seconds 1–3600.");
        if (body.AllowedTools?.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > 64) == true)
            return ApiErrors.Problem(400, ErrorCodes.InvalidArgument, "allowed_tools must be tool names.");
        var profile = await db.Profiles.SingleOrDefaultAsync(p => p.Name == name, ct);
        if (profile is null)
        {
            profile = new AgentProfile { Name = name, SystemPrompt = body.SystemPrompt };
            db.Profiles.Add(profile);
        }
        profile.SystemPrompt = body.SystemPrompt;
        profile.Model = body.Model;
        profile.AllowedToolsJson = body.AllowedTools is null ? null : JsonSerializer.Serialize(body.AllowedTools);
        profile.MaxSteps = body.MaxSteps ?? ProfileDefaults.MaxSteps;
        profile.StepTimeoutSeconds = body.StepTimeoutSeconds ?? ProfileDefaults.StepTimeoutSeconds;
        profile.TaskTimeoutSeconds = body.TaskTimeoutSeconds ?? ProfileDefaults.TaskTimeoutSeconds;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToResponse(profile));
    }

    private static readonly ProfileResponse Example = new("auditor", "You check balances and never send anything.", null,
        ["get_balance", "get_block"], 8, 60, 300);

    private static ProfileResponse ToResponse(AgentProfile p) => new(p.Name, p.SystemPrompt, p.Model,
        p.AllowedToolsJson is null ? null : JsonSerializer.Deserialize<List<string>>(p.AllowedToolsJson), p.MaxSteps, p.StepTimeoutSeconds, p.TaskTimeoutSeconds);
}
