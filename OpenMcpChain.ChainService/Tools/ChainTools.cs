using System.ComponentModel;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using ModelContextProtocol.Server;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using OpenMcpChain.ChainService.Abi;
using OpenMcpChain.ChainService.Audit;
using OpenMcpChain.ChainService.Callers;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.ChainService.Networks;
using OpenMcpChain.ChainService.Policy;
using OpenMcpChain.ChainService.Writes;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Tools;

/// <summary>The chain tools, served over MCP at <c>/mcp</c> and as internal REST at <c>/api/tools/{name}</c>.</summary>
[McpServerToolType]
public sealed class ChainTools(NetworkRegistry networks, WriteService writes, ToolAudit audit, CallerContext caller)
{
    private const string NetworkHelp = "Network name; omit for the default network (devnet).";

    [McpServerTool(Name = "get_chain_info", Title = "Chain info", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Returns the chain id and the latest block number (with its hash and timestamp) of a network. Use it for 'what chain is this' or 'what is the latest block'.")]
    public Task<ChainInfo> GetChainInfo([Description(NetworkHelp)] string? network = null) =>
        audit.RunAsync("get_chain_info", new { network }, async () =>
        {
            var (name, web3, _) = networks.Resolve(network);
            var chainId = await Rpc.CallAsync(() => web3.Eth.ChainId.SendRequestAsync());
            var block = await Rpc.CallAsync(() => web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest()));
            return new ChainInfo(name, (long)chainId.Value, (long)block.Number.Value, block.BlockHash, (long)block.Timestamp.Value);
        });

    [McpServerTool(Name = "get_block", Title = "Block", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Returns a block by number, by hash, or the latest: number, hash, parent, time, gas used and its transaction hashes.")]
    public Task<BlockInfo> GetBlock(
        [Description("'latest' (default), a block number, or a 0x block hash.")] string? block = null,
        [Description(NetworkHelp)] string? network = null) =>
        audit.RunAsync("get_block", new { block, network }, async () =>
        {
            var (_, web3, _) = networks.Resolve(network);
            var id = block?.Trim() ?? "latest";
            BlockWithTransactionHashes? found = Hashes.IsHash(id)
                ? await Rpc.CallAsync(() => web3.Eth.Blocks.GetBlockWithTransactionsHashesByHash.SendRequestAsync(id))
                : await Rpc.CallAsync(() => web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(ParseBlock(id)));
            if (found is null) throw new ChainToolException(ChainErrorCodes.NotFound, $"Block {id} does not exist.");
            return new BlockInfo((long)found.Number.Value, found.BlockHash, found.ParentHash, (long)found.Timestamp.Value,
                (long)found.GasUsed.Value, [.. found.TransactionHashes]);
        });

    [McpServerTool(Name = "get_balance", Title = "Native balance", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Returns the native-currency balance (ETH on the devnet) of an address, in wei and in ether, at the latest block.")]
    public Task<BalanceInfo> GetBalance(
        [Description("The 0x-prefixed, 20-byte hex address whose balance to read.")] string address,
        [Description(NetworkHelp)] string? network = null) =>
        audit.RunAsync("get_balance", new { address, network }, async () =>
        {
            var checksummed = Arguments.Address(address, nameof(address));
            var (name, web3, _) = networks.Resolve(network);
            var (balance, blockNumber) = await BalanceAndHeadAsync(web3, checksummed);
            return new BalanceInfo(name, checksummed, balance.ToString(), Amounts.Format(balance), (long)blockNumber);
        });

    /// <summary>
    /// The balance at the latest block and the head at read time (block_number), in one JSON-RPC batch: one HTTP request
    /// instead of two. A node that refuses batches, or answers an item with an error, is asked the two separately, as before.
    /// </summary>
    private static async Task<(BigInteger Balance, BigInteger BlockNumber)> BalanceAndHeadAsync(Web3 web3, string address)
    {
        var balance = new Nethereum.RPC.Eth.EthGetBalance(web3.Client);
        var head = new Nethereum.RPC.Eth.Blocks.EthBlockNumber(web3.Client);
        var balanceItem = new RpcRequestResponseBatchItem<Nethereum.RPC.Eth.EthGetBalance, HexBigInteger>(balance, balance.BuildRequest(address, BlockParameter.CreateLatest(), 1));
        var headItem = new RpcRequestResponseBatchItem<Nethereum.RPC.Eth.Blocks.EthBlockNumber, HexBigInteger>(head, head.BuildRequest(2));
        var batch = new RpcRequestResponseBatch { BatchItems = [balanceItem, headItem] };
        try
        {
            await web3.Client.SendBatchRequestAsync(batch);
            if (!balanceItem.HasError && !headItem.HasError && balanceItem.Response is { } b && headItem.Response is { } h) return (b.Value, h.Value);
        }
        catch (RpcClientTimeoutException)
        {
            throw Rpc.Unavailable(); // not asked again: that would double the wait
        }
        catch (Exception)
        {
            // Refused (an HTTP error or a reply that is not an array) or away: asked separately below, which fails as before if away.
        }
        var blockNumber = Rpc.CallAsync(() => web3.Eth.Blocks.GetBlockNumber.SendRequestAsync());
        var wei = await Rpc.CallAsync(() => web3.Eth.GetBalance.SendRequestAsync(address, BlockParameter.CreateLatest()));
        return (wei.Value, (await blockNumber).Value);
    }

    [McpServerTool(Name = "get_erc20_balance", Title = "Token balance", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Returns an ERC-20 token's balance of an owner (raw and scaled by the token's decimals) with the token's name, symbol and decimals.")]
    public Task<TokenBalanceInfo> GetErc20Balance(
        [Description("The token contract address.")] string token,
        [Description("The address whose balance to read.")] string owner,
        [Description(NetworkHelp)] string? network = null) =>
        audit.RunAsync("get_erc20_balance", new { token, owner, network }, async () =>
        {
            var (name, web3, _) = networks.Resolve(network);
            var meta = await TokenMetadataAsync(web3, Arguments.Address(token, nameof(token)), name, nameof(token));
            var raw = await CallAsync<BigInteger>(web3, meta.Address, "balanceOf(address) returns (uint256)", Arguments.Address(owner, nameof(owner)));
            return new TokenBalanceInfo(meta, Arguments.Address(owner, nameof(owner)), raw.ToString(), Amounts.Format(raw, meta.Decimals));
        });

    [McpServerTool(Name = "get_erc20_metadata", Title = "Token metadata", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Returns an ERC-20 token's name, symbol, decimals and total supply.")]
    public Task<TokenInfo> GetErc20Metadata([Description("The token contract address.")] string token, [Description(NetworkHelp)] string? network = null) =>
        audit.RunAsync("get_erc20_metadata", new { token, network }, async () =>
        {
            var (name, web3, _) = networks.Resolve(network);
            return await TokenMetadataAsync(web3, Arguments.Address(token, nameof(token)), name, nameof(token));
        });

    [McpServerTool(Name = "get_transaction", Title = "Transaction", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Returns a transaction by hash: from, to, value, nonce, input data and the block it is in (null while pending).")]
    public Task<TransactionInfo> GetTransaction([Description("The 0x transaction hash.")] string hash, [Description(NetworkHelp)] string? network = null) =>
        audit.RunAsync("get_transaction", new { hash, network }, async () =>
        {
            var (_, web3, _) = networks.Resolve(network);
            var tx = await Rpc.CallAsync(() => web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(Arguments.TxHash(hash, nameof(hash))))
                     ?? throw new ChainToolException(ChainErrorCodes.NotFound, $"Transaction {hash} is not known to the node.");
            return new TransactionInfo(tx.TransactionHash, tx.From, tx.To, tx.Value?.Value.ToString() ?? "0", (long)tx.Nonce.Value,
                tx.Input, (long?)tx.BlockNumber?.Value);
        });

    [McpServerTool(Name = "get_receipt", Title = "Receipt", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Returns a mined transaction's receipt: success or reverted, block, gas used, contract created and its logs.")]
    public Task<ReceiptInfo> GetReceipt([Description("The 0x transaction hash.")] string hash, [Description(NetworkHelp)] string? network = null) =>
        audit.RunAsync("get_receipt", new { hash, network }, async () =>
        {
            var (_, web3, _) = networks.Resolve(network);
            var r = await Rpc.CallAsync(() => web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(Arguments.TxHash(hash, nameof(hash))))
                    ?? throw new ChainToolException(ChainErrorCodes.NotFound, $"Transaction {hash} has no receipt (unknown or still pending).");
            return new ReceiptInfo(r.TransactionHash, r.Status?.Value == 1 ? "success" : "reverted", (long)r.BlockNumber.Value,
                (long)r.GasUsed.Value, r.ContractAddress, r.Logs?.Count() ?? 0);
        });

    [McpServerTool(Name = "call_contract", Title = "Contract read", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Calls a contract function without sending a transaction and returns the decoded return values. The function is given as a signature such as 'balanceOf(address) returns (uint256)'.")]
    public Task<ContractCallResult> CallContract(
        [Description("The contract address.")] string address,
        [Description("Human-readable function signature with its return types, e.g. 'balanceOf(address owner) returns (uint256)'.")] string signature,
        [Description("The arguments in order (numbers may be strings; bytes are 0x hex).")] JsonElement[]? args = null,
        [Description(NetworkHelp)] string? network = null) =>
        audit.RunAsync("call_contract", new { address, signature, args, network }, async () =>
        {
            var (_, web3, _) = networks.Resolve(network);
            var to = Arguments.Address(address, nameof(address));
            var function = AbiCodec.ParseFunction(signature, nameof(signature));
            var data = AbiCodec.Encode(function, args ?? []);
            string output;
            try
            {
                output = await web3.Eth.Transactions.Call.SendRequestAsync(new CallInput(data, to));
            }
            catch (Nethereum.JsonRpc.Client.RpcResponseException e)
            {
                throw Reverted("call", e);
            }
            output ??= "0x";
            if (output is "0x" or "" && function.OutputParameters is { Length: > 0 })
                throw new ChainToolException(ChainErrorCodes.CallReturnedNothing,
                    $"The call to {function.Name} on {to} returned nothing: no contract at that address, or no such function.");
            return new ContractCallResult(to, function.Name, AbiCodec.DecodeOutput(function, output), output);
        });

    [McpServerTool(Name = "get_logs", Title = "Events", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Returns a contract's events of one kind in a block range, decoded. The event is given as a signature such as 'Transfer(address indexed from, address indexed to, uint256 value)'.")]
    public Task<LogsResult> GetLogs(
        [Description("The contract address.")] string address,
        [Description("Event signature with 'indexed' on indexed parameters.")] string eventSignature,
        [Description("First block (default 0).")] long? fromBlock = null,
        [Description("Last block (default latest).")] long? toBlock = null,
        [Description(NetworkHelp)] string? network = null) =>
        audit.RunAsync("get_logs", new { address, eventSignature, fromBlock, toBlock, network }, async () =>
        {
            var (_, web3, _) = networks.Resolve(network);
            var ev = AbiCodec.ParseEvent(eventSignature, nameof(eventSignature));
            var filter = new NewFilterInput
            {
                Address = [Arguments.Address(address, nameof(address))],
                FromBlock = new BlockParameter(new HexBigInteger(fromBlock ?? 0)),
                ToBlock = toBlock is { } to ? new BlockParameter(new HexBigInteger(to)) : BlockParameter.CreateLatest(),
                Topics = ["0x" + ev.Sha3Signature],
            };
            var logs = await Rpc.CallAsync(() => web3.Eth.Filters.GetLogs.SendRequestAsync(filter));
            return new LogsResult(ev.Name, [.. logs.Select(l => DecodeLog(ev, l))]);
        });

    [McpServerTool(Name = "estimate_gas", Title = "Gas estimate", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Estimates the gas a transfer or contract write would use, sent from the service wallet, without sending it.")]
    public Task<GasEstimate> EstimateGas(
        [Description("Recipient or contract address.")] string to,
        [Description("Native value in ether, e.g. '0.1' (default 0).")] string? amount = null,
        [Description("Optional function signature for a contract write.")] string? signature = null,
        [Description("Arguments of the function.")] JsonElement[]? args = null,
        [Description("Wallet name; omit for the default wallet.")] string? wallet = null,
        [Description(NetworkHelp)] string? network = null) =>
        audit.RunAsync("estimate_gas", new { to, amount, signature, args, wallet, network }, async () =>
        {
            var (_, web3, _) = networks.Resolve(network);
            var data = signature is null ? "0x" : AbiCodec.Encode(AbiCodec.ParseFunction(signature, nameof(signature)), args ?? []);
            var input = new CallInput(data, Arguments.Address(to, nameof(to)), new HexBigInteger(OptionalEther(amount, nameof(amount)))) { From = writes.WalletAddress(wallet) };
            try
            {
                var gas = await web3.Eth.Transactions.EstimateGas.SendRequestAsync(input);
                var price = await Rpc.CallAsync(() => web3.Eth.GasPrice.SendRequestAsync());
                return new GasEstimate((long)gas.Value, price.Value.ToString(), Amounts.Format(gas.Value * price.Value));
            }
            catch (Nethereum.JsonRpc.Client.RpcResponseException e)
            {
                throw Reverted("estimate", e);
            }
        });

    [McpServerTool(Name = "transfer_native", Title = "Send ETH", Destructive = true, Idempotent = true, OpenWorld = true, UseStructuredContent = true)]
    [Description("Sends native currency (ETH) from the service wallet. Simulated first, then checked by the policy gate (caps, budgets, approval threshold); returns the transaction hash, status, block and gas used. Fails with a POLICY_* code, or APPROVAL_REQUIRED with an approval id, without sending anything.")]
    public Task<WriteResult> TransferNative(
        [Description("Recipient address.")] string to,
        [Description("Amount in ether, e.g. '0.1'.")] string amount,
        [Description("Repeat a request with the same key to get the first result instead of sending twice.")] string? idempotencyKey = null,
        [Description("Wallet name; omit for the default wallet.")] string? wallet = null,
        [Description(NetworkHelp)] string? network = null) =>
        audit.RunAsync("transfer_native", new { to, amount, idempotencyKey, wallet, network }, () =>
        {
            var recipient = Arguments.Address(to, nameof(to));
            var wei = Arguments.Amount(amount, 18, nameof(amount));
            return writes.ExecuteAsync(Intent("transfer_native", network, wallet, recipient, wei, "0x", idempotencyKey,
                $"send {amount} ETH to {recipient}"), null, CancellationToken.None);
        });

    [McpServerTool(Name = "transfer_erc20", Title = "Send tokens", Destructive = true, Idempotent = true, OpenWorld = true, UseStructuredContent = true)]
    [Description("Sends ERC-20 tokens from the service wallet (amount in whole tokens, scaled by the token's decimals). Simulated first and checked by the policy gate like every write.")]
    public Task<WriteResult> TransferErc20(
        [Description("The token contract address.")] string token,
        [Description("Recipient address.")] string to,
        [Description("Amount in whole tokens, e.g. '12.5'.")] string amount,
        [Description("Repeat a request with the same key to get the first result instead of sending twice.")] string? idempotencyKey = null,
        [Description("Wallet name; omit for the default wallet.")] string? wallet = null,
        [Description(NetworkHelp)] string? network = null) =>
        audit.RunAsync("transfer_erc20", new { token, to, amount, idempotencyKey, wallet, network }, async () =>
        {
            var (name, web3, _) = networks.Resolve(network);
            var meta = await TokenMetadataAsync(web3, Arguments.Address(token, nameof(token)), name, nameof(token));
            var recipient = Arguments.Address(to, nameof(to));
            var units = Arguments.Amount(amount, meta.Decimals, nameof(amount));
            var data = AbiCodec.Encode(AbiCodec.ParseFunction("transfer(address,uint256) returns (bool)"),
                [JsonSerializer.SerializeToElement(recipient), JsonSerializer.SerializeToElement(units.ToString())]);
            return await writes.ExecuteAsync(Intent("transfer_erc20", network, wallet, meta.Address, BigInteger.Zero, data, idempotencyKey,
                $"send {amount} {meta.Symbol} to {recipient}"), null, CancellationToken.None);
        });

    [McpServerTool(Name = "write_contract", Title = "Contract write", Destructive = true, Idempotent = true, OpenWorld = true, UseStructuredContent = true)]
    [Description("Sends a transaction calling a contract function, given as a signature such as 'setCounter(uint256)', with arguments and optional ETH value. Simulated first (a revert returns its reason and sends nothing), then checked by the policy gate.")]
    public Task<WriteResult> WriteContract(
        [Description("The contract address.")] string address,
        [Description("Human-readable function signature, e.g. 'transfer(address to, uint256 value)'.")] string signature,
        [Description("The arguments in order (numbers may be strings; bytes are 0x hex).")] JsonElement[]? args = null,
        [Description("Native value to send with the call, in ether (default 0).")] string? amount = null,
        [Description("Repeat a request with the same key to get the first result instead of sending twice.")] string? idempotencyKey = null,
        [Description("Wallet name; omit for the default wallet.")] string? wallet = null,
        [Description(NetworkHelp)] string? network = null) =>
        audit.RunAsync("write_contract", new { address, signature, args, amount, idempotencyKey, wallet, network }, () =>
        {
            var contract = Arguments.Address(address, nameof(address));
            var function = AbiCodec.ParseFunction(signature, nameof(signature));
            var data = AbiCodec.Encode(function, args ?? []);
            return writes.ExecuteAsync(Intent("write_contract", network, wallet, contract, OptionalEther(amount, nameof(amount)), data, idempotencyKey,
                $"call {function.Name} on {contract}") with { Signature = signature }, null, CancellationToken.None);
        });

    private WriteIntent Intent(string kind, string? network, string? wallet, string to, BigInteger wei, string data, string? key, string summary) => new()
    {
        Kind = kind, Network = network, Wallet = wallet, To = to, Value = wei.ToString(), Data = data,
        Caller = caller.Name, TaskId = caller.TaskId, IdempotencyKey = key, Summary = summary,
    };

    private static async Task<T> CallAsync<T>(Web3 web3, string address, string signature, params object[] args)
    {
        var function = AbiCodec.ParseFunction(signature);
        var data = new Nethereum.ABI.FunctionEncoding.FunctionCallEncoder().EncodeRequest(function.Sha3Signature, function.InputParameters, args);
        var output = await Rpc.CallAsync(() => web3.Eth.Transactions.Call.SendRequestAsync(new CallInput(data, address)));
        return new Nethereum.ABI.FunctionEncoding.FunctionCallDecoder().DecodeSimpleTypeOutput<T>(function.OutputParameters[0], output);
    }

    private static async Task<TokenInfo> TokenMetadataAsync(Web3 web3, string token, string network, string field)
    {
        if (await Rpc.CallAsync(() => web3.Eth.GetCode.SendRequestAsync(token)) is not { Length: > 2 })
            throw Arguments.Invalid(field, $"{token} is not a contract on {network}.", ChainErrorCodes.InvalidAddress);
        try
        {
            var name = await CallAsync<string>(web3, token, "name() returns (string)");
            var symbol = await CallAsync<string>(web3, token, "symbol() returns (string)");
            var decimals = await CallAsync<int>(web3, token, "decimals() returns (uint8)");
            var supply = await CallAsync<BigInteger>(web3, token, "totalSupply() returns (uint256)");
            return new TokenInfo(network, token, name, symbol, decimals, supply.ToString());
        }
        catch (Nethereum.JsonRpc.Client.RpcResponseException)
        {
            throw Arguments.Invalid(field, $"{token} does not answer as an ERC-20 token.");
        }
    }

    private static LogEntry DecodeLog(Nethereum.ABI.Model.EventABI ev, FilterLog log)
    {
        var decoded = ev.DecodeEventDefaultTopics(log);
        var args = decoded.Event.ToDictionary(p => p.Parameter.Name ?? $"arg{p.Parameter.Order}", p => AbiCodec.ToJsonValue(p.Result));
        return new LogEntry((long)log.BlockNumber.Value, log.TransactionHash, (int)log.LogIndex.Value, args);
    }

    private static BlockParameter ParseBlock(string id) => id.ToLowerInvariant() switch
    {
        "latest" => BlockParameter.CreateLatest(),
        "earliest" => BlockParameter.CreateEarliest(),
        "pending" => BlockParameter.CreatePending(),
        _ when long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => new BlockParameter(new HexBigInteger(n)),
        _ => throw Arguments.Invalid("block", $"'{id}' is not a block: use latest, a number or a 0x hash."),
    };

    private static ChainToolException Reverted(string what, Nethereum.JsonRpc.Client.RpcResponseException e)
    {
        var reason = AbiCodec.DecodeRevert(e.RpcError?.Data?.ToString());
        return new(new ChainToolError(ChainErrorCodes.ExecutionReverted, $"The {what} reverted: {reason}.") { Reason = reason });
    }

    private static BigInteger OptionalEther(string? amount, string field) =>
        string.IsNullOrWhiteSpace(amount) ? BigInteger.Zero : Arguments.Amount(amount, 18, field);
}
