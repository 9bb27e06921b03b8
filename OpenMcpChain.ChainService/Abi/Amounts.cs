using System.Globalization;
using System.Numerics;
using Nethereum.Web3;

namespace OpenMcpChain.ChainService.Abi;

/// <summary>Base units (wei, or a token's smallest unit) as the decimal whole-unit strings every answer and message uses.</summary>
public static class Amounts
{
    public static string Format(BigInteger raw, int decimals = 18) =>
        Web3.Convert.FromWei(raw, decimals).ToString(CultureInfo.InvariantCulture);
}
