namespace Backprop.Data.Formats.Mat;

/// <summary>Level-5 MAT data element types (the "miXXX" codes of the MAT-file format).</summary>
internal enum MiType
{
    Int8 = 1, UInt8 = 2, Int16 = 3, UInt16 = 4, Int32 = 5, UInt32 = 6,
    Single = 7, Double = 9, Int64 = 12, UInt64 = 13,
    Matrix = 14, Compressed = 15, Utf8 = 16, Utf16 = 17, Utf32 = 18,
}

/// <summary>MATLAB array classes (the "mxXXX_CLASS" codes) stored in an array's flags.</summary>
internal enum MxClass
{
    Cell = 1, Struct = 2, Object = 3, Char = 4, Sparse = 5,
    Double = 6, Single = 7, Int8 = 8, UInt8 = 9, Int16 = 10, UInt16 = 11,
    Int32 = 12, UInt32 = 13, Int64 = 14, UInt64 = 15, Function = 16, Opaque = 17,
}

/// <summary>Sizes and names of the MAT type codes.</summary>
internal static class MatDataTypes
{
    public const uint ComplexFlag = 0x0800;
    public const uint GlobalFlag = 0x0400;
    public const uint LogicalFlag = 0x0200;

    /// <summary>Bytes per value of a numeric element type, or 0 for a non-numeric type.</summary>
    public static int NumericSize(MiType type) => type switch
    {
        MiType.Int8 or MiType.UInt8 => 1,
        MiType.Int16 or MiType.UInt16 => 2,
        MiType.Int32 or MiType.UInt32 or MiType.Single => 4,
        MiType.Double or MiType.Int64 or MiType.UInt64 => 8,
        _ => 0,
    };

    public static string Name(MiType type) => Enum.IsDefined(type) ? "mi" + type.ToString().ToUpperInvariant() : $"unknown type {(int)type}";

    /// <summary>MATLAB's name for a class: double, single, int8…, char, struct, cell…</summary>
    public static string ClassName(MxClass cls) => cls switch
    {
        MxClass.Cell => "cell",
        MxClass.Struct => "struct",
        MxClass.Object => "object",
        MxClass.Char => "char",
        MxClass.Sparse => "sparse",
        MxClass.Double => "double",
        MxClass.Single => "single",
        MxClass.Function => "function_handle",
        MxClass.Opaque => "opaque",
        _ when Enum.IsDefined(cls) => cls.ToString().ToLowerInvariant(),
        _ => $"unknown class {(int)cls}",
    };

    /// <summary>Bytes per element of the array the reader builds for a numeric class.</summary>
    public static int ClassElementSize(MxClass cls) => cls switch
    {
        MxClass.Int8 or MxClass.UInt8 => 1,
        MxClass.Int16 or MxClass.UInt16 or MxClass.Char => 2,
        MxClass.Int32 or MxClass.UInt32 or MxClass.Single => 4,
        _ => 8,
    };

    public static bool IsNumericClass(MxClass cls) => cls >= MxClass.Double && cls <= MxClass.UInt64;
}
