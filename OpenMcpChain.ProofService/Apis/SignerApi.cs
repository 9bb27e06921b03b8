using OpenMcpChain.ProofService.Signing;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.AspNetCore.Builder;

public static class SignerApi
{
    public static RouteGroupBuilder MapSignerApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/signer").WithTags("Signer");
        api.MapGet("/", (IAttestationProvider attester) => TypedResults.Ok(new SignerResponse(attester.Identity, attester.Scheme)))
            .WithName("GetSigner").WithSummary("The signer's address")
            .WithDescription("The Ethereum address that signs every outcome attestation and tree head; pin it when you verify offline.")
            .ResponseExample(200, new SignerResponse(ProofExamples.Signer, "eip712"));
        return api;
    }
}
