using Microsoft.OpenApi;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.AgentService.Apis;

/// <summary>The query parameters of the task list and stats, which the handlers read themselves (with the original's codes).</summary>
internal static class TaskFilterDocs
{
    public static RouteHandlerBuilder WithTaskFilters(this RouteHandlerBuilder builder, bool paging)
    {
        if (paging)
        {
            builder.WithQuery("limit", "How many tasks, 1–100 (default 20; more is capped at 100).")
                .WithQuery("offset", "How many to skip (default 0); `next_offset` gives the next page's.")
                .WithQuery("order", "`desc` (default, newest update first) or `asc`.", JsonSchemaType.String)
                .WithQuery("id", "Read this one task instead of a list (as the original daemon allowed).", JsonSchemaType.String);
        }
        return builder
            .WithQuery("status", $"Only these statuses, repeated or comma-separated: {string.Join(", ", TaskStatuses.All)}.", JsonSchemaType.String)
            .WithQuery("since", "Updated at or after this RFC 3339 time, e.g. 2026-01-31T12:00:00Z.", JsonSchemaType.String)
            .WithQuery("until", "Updated at or before this RFC 3339 time.", JsonSchemaType.String)
            .WithQuery("has_result", "Only tasks with (true) or without (false) a result; 1, 0, t, f also work.", JsonSchemaType.String)
            .WithQuery("q", "Text searched in the id, goal, chain action, address, error and result.", JsonSchemaType.String);
    }
}
