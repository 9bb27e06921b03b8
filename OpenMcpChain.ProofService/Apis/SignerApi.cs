using OpenMcpChain.ProofService.Signing;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.AspNetCore.Builder;

public static class SignerApi
{
    public static RouteGroupBuilder MapSignerApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/signer");
        api.MapGet("/", (IAttestationProvider attester) => TypedResults.Ok(new SignerResponse(attester.Identity, attester.Scheme)));
        return api;
    }
}
