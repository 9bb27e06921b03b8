using System.Globalization;
using System.Numerics;
using Nethereum.Util;
using Nethereum.Web3;
using OpenMcpChain.Sdk;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Errors;

/// <summary>Reads tool arguments; a bad one is a coded error that names its field as the tool's schema spells it.</summary>
public static class Arguments
{
    public static ChainToolException Invalid(string field, string message, string code = ChainErrorCodes.InvalidArgument) =>
        new(new ChainToolError(code, message) { Field = field });

    /// <summary>The address, checksummed.</summary>
    public static string Address(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value) || !AddressUtil.Current.IsValidEthereumAddressHexFormat(value.Trim()))
            throw Invalid(field, $"{field}: '{value}' is not an address: expected 0x followed by 40 hex digits.", ChainErrorCodes.InvalidAddress);
        return AddressUtil.Current.ConvertToChecksumAddress(value.Trim());
    }

    public static string TxHash(string? value, string field) =>
        Hashes.IsHash(value) ? value! : throw Invalid(field, $"{field}: '{value}' is not a transaction hash (0x followed by 64 hex digits).");

    /// <summary>A positive decimal amount of whole units (ether, or whole tokens), in base units.</summary>
    public static BigInteger Amount(string? value, int decimals, string field)
    {
        if (!decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
            throw Invalid(field, $"{field} '{value}' must be a positive decimal number such as '0.5'.");
        return Web3.Convert.ToWei(amount, decimals);
    }
}
