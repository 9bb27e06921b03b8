
namespace OpenMcpChain.ChainService.Tools;

/// <summary>The chain id and head of a network.</summary>
public sealed record ChainInfo(string Network, long ChainId, long BlockNumber, string BlockHash, long BlockTimestamp);

/// <summary>A block and its transaction hashes.</summary>
public sealed record BlockInfo(long Number, string Hash, string ParentHash, long Timestamp, long GasUsed, List<string> Transactions);

/// <summary>A native balance at a block.</summary>
public sealed record BalanceInfo(string Network, string Address, string Wei, string Ether, long BlockNumber);

/// <summary>An ERC-20 token's metadata.</summary>
public sealed record TokenInfo(string Network, string Address, string Name, string Symbol, int Decimals, string TotalSupply);

/// <summary>An owner's token balance, raw and scaled.</summary>
public sealed record TokenBalanceInfo(TokenInfo Token, string Owner, string Raw, string Amount);

/// <summary>A transaction as the node reports it.</summary>
public sealed record TransactionInfo(string Hash, string From, string? To, string ValueWei, long Nonce, string Input, long? BlockNumber);

/// <summary>A mined transaction's receipt.</summary>
public sealed record ReceiptInfo(string Hash, string Status, long BlockNumber, long GasUsed, string? ContractAddress, int Logs);

/// <summary>A contract read's decoded values and the raw output.</summary>
public sealed record ContractCallResult(string Address, string Function, Dictionary<string, object?> Values, string Raw);

/// <summary>Decoded events.</summary>
public sealed record LogsResult(string Event, List<LogEntry> Logs);

/// <summary>One decoded event.</summary>
public sealed record LogEntry(long BlockNumber, string TxHash, int LogIndex, Dictionary<string, object?> Args);

/// <summary>A gas estimate and what it would cost at the current price.</summary>
public sealed record GasEstimate(long Gas, string GasPriceWei, string CostEther);
