using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenMcpChain.ChainService.Abi;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.ChainService.Infrastructure;
using OpenMcpChain.ChainService.Networks;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Durable event subscriptions: register (address + event signature), then read what arrived.</summary>
public static class SubscriptionsApi
{
    public sealed record CreateSubscription(string? Address, string? EventSignature, string? Network, long? FromBlock);

    public sealed record EventView(long Id, long BlockNumber, string TxHash, int LogIndex, JsonElement Args);

    public static RouteGroupBuilder MapSubscriptionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/subscriptions");
        api.MapPost("/", CreateAsync);
        api.MapGet("/{id}/events", async (string id, long? afterId, int? limit, ChainDbContext db, CancellationToken ct) =>
        {
            if (!await db.Subscriptions.AnyAsync(s => s.Id == id, ct))
                return (IResult)ApiErrors.Problem(404, ChainErrorCodes.NotFound, $"No subscription {id}.");
            var events = await db.Events.AsNoTracking()
                .Where(e => e.SubscriptionId == id && e.Id > (afterId ?? 0))
                .OrderBy(e => e.Id).Take(Math.Clamp(limit ?? 100, 1, 1000)).ToListAsync(ct);
            return TypedResults.Ok(events.Select(e => new EventView(e.Id, e.BlockNumber, e.TxHash, e.LogIndex,
                JsonDocument.Parse(e.ArgsJson).RootElement)));
        });
        return api;
    }

    private static async Task<IResult> CreateAsync(CreateSubscription request, ChainDbContext db, NetworkRegistry networks, CancellationToken ct)
    {
        try
        {
            var address = Arguments.Address(request.Address, "address");
            var ev = AbiCodec.ParseEvent(request.EventSignature ?? "", "event_signature");
            var (name, web3, _) = networks.Resolve(request.Network);
            var from = request.FromBlock ?? (long)(await Rpc.CallAsync(() => web3.Eth.Blocks.GetBlockNumber.SendRequestAsync())).Value;
            var subscription = new Subscription
            {
                Id = Guid.CreateVersion7().ToString(), Network = name, Address = address, EventSignature = request.EventSignature!.Trim(),
                Topic0 = "0x" + ev.Sha3Signature, NextBlock = Math.Max(0, from), CreatedAt = DateTimeOffset.UtcNow,
            };
            db.Subscriptions.Add(subscription);
            await db.SaveChangesAsync(ct);
            return TypedResults.Created($"/api/subscriptions/{subscription.Id}", subscription);
        }
        catch (ChainToolException e)
        {
            return e.ToProblem();
        }
    }
}
