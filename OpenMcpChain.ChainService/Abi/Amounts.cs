using System.Globalization;
using System.Numerics;
using Nethereum.Web3;

namespace OpenMcpChain.ChainService.Abi;

/// <summary>Base units (wei, or a token's smallest unit) as the decimal whole-unit strings every answer and message uses.</summary>
public static class Amounts
{
    public static string Format(BigInteger raw, int decimals = 18) =>
        Web3.Convert.FromWei(raw, decimals).ToString(CultureInfo.InvariantCulture);

    /// <summary>Exact at any size (the decimal <see cref="Format"/> goes through holds 28 digits): what an approver reads.</summary>
    public static string Exact(BigInteger raw, int decimals = 18)
    {
        var whole = BigInteger.DivRem(BigInteger.Abs(raw), BigInteger.Pow(10, decimals), out var fraction);
        var text = (raw.Sign < 0 ? "-" : "") + whole.ToString(CultureInfo.InvariantCulture);
        return fraction.IsZero ? text : text + "." + fraction.ToString(CultureInfo.InvariantCulture).PadLeft(decimals, '0').TrimEnd('0');
    }
}
