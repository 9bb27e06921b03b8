using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Util;
using OpenMcpChain.ChainService.Errors;
using OpenMcpChain.Sdk.Contracts;

namespace OpenMcpChain.ChainService.Abi;

/// <summary>Human-readable signatures (<c>balanceOf(address) returns (uint256)</c>) to calldata and back.</summary>
public static class AbiCodec
{
    private const string ArgsField = "args";

    public static FunctionABI ParseFunction(string signature, string field = "signature")
    {
        var text = signature.Trim();
        if (!text.StartsWith("function ", StringComparison.Ordinal)) text = "function " + text;
        try
        {
            var function = new ABIStringSignatureDeserialiser().ExtractContractABI(text).Functions.SingleOrDefault();
            if (function is not null && !string.IsNullOrEmpty(function.Name)) return function;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
        }
        throw Arguments.Invalid(field,
            $"'{signature}' is not a function signature such as 'balanceOf(address) returns (uint256)'.");
    }

    public static EventABI ParseEvent(string signature, string field = "eventSignature")
    {
        var text = signature.Trim();
        if (!text.StartsWith("event ", StringComparison.Ordinal)) text = "event " + text;
        try
        {
            var ev = new ABIStringSignatureDeserialiser().ExtractContractABI(text).Events.SingleOrDefault();
            if (ev is not null && !string.IsNullOrEmpty(ev.Name)) return ev;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
        }
        throw Arguments.Invalid(field,
            $"'{signature}' is not an event signature such as 'Transfer(address indexed from, address indexed to, uint256 value)'.");
    }

    /// <summary>Calldata for <paramref name="function"/> with JSON arguments (the tool's <c>args</c>) converted to their ABI types.</summary>
    public static string Encode(FunctionABI function, IReadOnlyList<JsonElement> args)
    {
        var inputs = function.InputParameters ?? [];
        if (args.Count != inputs.Length)
        {
            throw Arguments.Invalid(ArgsField,
                $"{function.Name} takes {inputs.Length} argument(s), {args.Count} given.");
        }
        var values = inputs.Select((p, i) => Convert(p.Type, args[i], p.Name ?? $"arg{i}")).ToArray();
        try
        {
            return new FunctionCallEncoder().EncodeRequest(function.Sha3Signature, inputs, values);
        }
        catch (Exception e) when (e is not ChainToolException)
        {
            throw Arguments.Invalid(ArgsField, $"The arguments do not fit {function.Name}: {e.Message}");
        }
    }

    /// <summary>Decoded return values as a JSON object (by output name, or out0, out1, …).</summary>
    public static Dictionary<string, object?> DecodeOutput(FunctionABI function, string output)
    {
        var outputs = function.OutputParameters ?? [];
        if (outputs.Length == 0) return [];
        var decoded = new FunctionCallDecoder().DecodeDefaultData(output, outputs);
        return decoded.Select((o, i) => (Name: string.IsNullOrEmpty(o.Parameter.Name) ? $"out{i}" : o.Parameter.Name, o.Result))
            .ToDictionary(x => x.Name, x => ToJsonValue(x.Result));
    }

    public static object? ToJsonValue(object? value) => value switch
    {
        BigInteger b => b.ToString(CultureInfo.InvariantCulture),
        byte[] bytes => bytes.ToHex(true),
        System.Collections.IEnumerable list and not string => list.Cast<object?>().Select(ToJsonValue).ToList(),
        _ => value,
    };

    private static object Convert(string type, JsonElement value, string name)
    {
        try
        {
            if (type.EndsWith(']'))
            {
                var element = type[..type.LastIndexOf('[')];
                if (value.ValueKind != JsonValueKind.Array) throw new FormatException("expected an array");
                return value.EnumerateArray().Select(v => Convert(element, v, name)).ToList();
            }
            var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            if (type == "address")
            {
                if (!AddressUtil.Current.IsValidEthereumAddressHexFormat(text))
                    throw Arguments.Invalid(ArgsField, $"{name}: '{text}' is not an address.", ChainErrorCodes.InvalidAddress);
                return text;
            }
            if (type.StartsWith("uint", StringComparison.Ordinal) || type.StartsWith("int", StringComparison.Ordinal))
            {
                return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                    ? text.HexToBigInteger(false)
                    : BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            }
            if (type == "bool") return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : bool.Parse(text);
            if (type == "string") return text;
            if (type.StartsWith("bytes", StringComparison.Ordinal)) return text.HexToByteArray();
            throw new FormatException($"type {type} is not supported");
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException or ArgumentException)
        {
            throw Arguments.Invalid(ArgsField, $"{name} ({type}): {e.Message}");
        }
    }

    /// <summary>The reason of a revert: Error(string), Panic(uint256), or the raw data.</summary>
    public static string DecodeRevert(string? data)
    {
        if (string.IsNullOrEmpty(data) || data == "0x") return "reverted without a reason";
        var hex = data.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? data : "0x" + data;
        try
        {
            if (hex.StartsWith("0x08c379a0", StringComparison.OrdinalIgnoreCase))
            {
                return new FunctionCallDecoder().DecodeFunctionErrorMessage(hex);
            }
            if (hex.StartsWith("0x4e487b71", StringComparison.OrdinalIgnoreCase))
            {
                return $"panic 0x{hex[10..].HexToBigInteger(false):x}";
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IndexOutOfRangeException)
        {
        }
        return $"reverted with data {hex}";
    }
}
