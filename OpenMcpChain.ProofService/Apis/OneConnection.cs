using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ProofService.Infrastructure;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// A read whose statements (a proof: the log's size, the leaf, the nodes; a provenance or a bundle: the attestation, its
/// anchor, the entries, the nodes) run on one pooled connection, taken once per request instead of once per statement:
/// every take costs the pool's reset and a <c>SET NAMES</c>. The connection is opened under the retry strategy, as each
/// statement's own would be, and a statement that meets a dropped connection reopens it on its retry.
/// </summary>
internal static class OneConnection
{
    public static RouteHandlerBuilder ReadsOnOneConnection(this RouteHandlerBuilder route) =>
        route.AddEndpointFilter(async (context, next) =>
        {
            var db = context.HttpContext.RequestServices.GetRequiredService<ProofDbContext>();
            var ct = context.HttpContext.RequestAborted;
            await db.Database.CreateExecutionStrategy().ExecuteAsync(() => db.Database.OpenConnectionAsync(ct));
            try
            {
                return await next(context);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        });
}
