namespace Backprop.Models.Onnx;

// The handful of ONNX messages the exporter writes, as small records that encode themselves with ProtoWriter.
// Field numbers are those of onnx/onnx.proto (proto2; checked against ONNX 1.12's copy); only the fields used are listed.

/// <summary>TensorProto.DataType values.</summary>
internal enum OnnxDataType
{
    Float = 1,   // FLOAT
    Bool = 9,    // BOOL
    Int64 = 7,   // INT64
    Double = 11, // DOUBLE
}

/// <summary>AttributeProto: one INT, INTS or FLOAT attribute of a node.</summary>
internal sealed record OnnxAttribute(string Name, long? Int = null, long[]? Ints = null, float? Float = null)
{
    // AttributeProto.AttributeType values.
    private const int TypeFloat = 1, TypeInt = 2, TypeInts = 7;

    public ProtoWriter Encode()
    {
        var w = new ProtoWriter(32);
        w.String(1, Name);                                   // AttributeProto.name = 1
        if (Float is { } f)
        {
            w.Float(2, f);                                   // AttributeProto.f = 2
            w.Int32(20, TypeFloat);                          // AttributeProto.type = 20
        }
        else if (Int is { } i)
        {
            w.Int64(3, i);                                   // AttributeProto.i = 3
            w.Int32(20, TypeInt);
        }
        else if (Ints is { } list)
        {
            foreach (var v in list) w.Int64(8, v);           // AttributeProto.ints = 8 (repeated)
            w.Int32(20, TypeInts);
        }
        else throw new InvalidOperationException($"Attribute '{Name}' has no value.");
        return w;
    }

    public override string ToString() => Float is { } f ? $"{Name}={f}" : Int is { } i ? $"{Name}={i}" : $"{Name}=[{string.Join(",", Ints ?? [])}]";
}

/// <summary>NodeProto: one operator application.</summary>
internal sealed record OnnxNode(string OpType, string Name, string[] Inputs, string[] Outputs, params OnnxAttribute[] Attributes)
{
    public ProtoWriter Encode()
    {
        var w = new ProtoWriter(64);
        foreach (var input in Inputs) w.String(1, input);   // NodeProto.input = 1 (repeated)
        foreach (var output in Outputs) w.String(2, output); // NodeProto.output = 2 (repeated)
        w.String(3, Name);                                   // NodeProto.name = 3
        w.String(4, OpType);                                 // NodeProto.op_type = 4
        foreach (var a in Attributes) w.Message(5, a.Encode()); // NodeProto.attribute = 5 (repeated)
        return w;                                            // NodeProto.domain = 7 left unset: the default ONNX domain
    }
}

/// <summary>TensorProto: a constant (initializer) stored as little-endian raw_data.</summary>
internal sealed record OnnxTensor(string Name, OnnxDataType DataType, long[] Dims, byte[] RawData, string? DocString = null)
{
    public ProtoWriter Encode()
    {
        var w = new ProtoWriter(RawData.Length + 64);
        foreach (var d in Dims) w.Int64(1, d);               // TensorProto.dims = 1 (repeated)
        w.Int32(2, (int)DataType);                           // TensorProto.data_type = 2
        w.String(8, Name);                                   // TensorProto.name = 8
        w.Bytes(9, RawData);                                 // TensorProto.raw_data = 9
        if (DocString is not null) w.String(12, DocString);  // TensorProto.doc_string = 12
        return w;
    }
}

/// <summary>A tensor dimension: a fixed size or a symbolic name such as "N".</summary>
internal readonly record struct OnnxDim(long? Value, string? Param)
{
    public static implicit operator OnnxDim(long value) => new(value, null);
    public static implicit operator OnnxDim(string param) => new(null, param);
    public override string ToString() => Param ?? Value!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>ValueInfoProto of a tensor: name, element type and shape (a graph input or output).</summary>
internal sealed record OnnxValueInfo(string Name, OnnxDataType ElementType, OnnxDim[] Shape, string? DocString = null)
{
    public ProtoWriter Encode()
    {
        var shape = new ProtoWriter(32);
        foreach (var d in Shape)
        {
            var dim = new ProtoWriter(16);
            if (d.Param is not null) dim.String(2, d.Param);  // TensorShapeProto.Dimension.dim_param = 2
            else dim.Int64(1, d.Value!.Value);              // TensorShapeProto.Dimension.dim_value = 1
            shape.Message(1, dim);                          // TensorShapeProto.dim = 1 (repeated)
        }
        var tensor = new ProtoWriter(48);
        tensor.Int32(1, (int)ElementType);                  // TypeProto.Tensor.elem_type = 1
        tensor.Message(2, shape);                           // TypeProto.Tensor.shape = 2
        var type = new ProtoWriter(64);
        type.Message(1, tensor);                            // TypeProto.tensor_type = 1
        var w = new ProtoWriter(96);
        w.String(1, Name);                                  // ValueInfoProto.name = 1
        w.Message(2, type);                                 // ValueInfoProto.type = 2
        if (DocString is not null) w.String(3, DocString);  // ValueInfoProto.doc_string = 3
        return w;
    }
}

/// <summary>GraphProto: nodes in topological order, constants, inputs and outputs.</summary>
internal sealed record OnnxGraph(string Name, string DocString, IReadOnlyList<OnnxNode> Nodes, IReadOnlyList<OnnxTensor> Initializers,
    IReadOnlyList<OnnxValueInfo> Inputs, IReadOnlyList<OnnxValueInfo> Outputs)
{
    public ProtoWriter Encode()
    {
        var w = new ProtoWriter(Initializers.Sum(t => t.RawData.Length) + 4096);
        foreach (var n in Nodes) w.Message(1, n.Encode());        // GraphProto.node = 1 (repeated)
        w.String(2, Name);                                        // GraphProto.name = 2
        foreach (var t in Initializers) w.Message(5, t.Encode()); // GraphProto.initializer = 5 (repeated)
        w.String(10, DocString);                                  // GraphProto.doc_string = 10
        foreach (var i in Inputs) w.Message(11, i.Encode());      // GraphProto.input = 11 (repeated)
        foreach (var o in Outputs) w.Message(12, o.Encode());     // GraphProto.output = 12 (repeated)
        return w;
    }
}

/// <summary>ModelProto: the file's top-level message.</summary>
internal sealed record OnnxModel(long IrVersion, long OpsetVersion, string ProducerName, string ProducerVersion, string Domain,
    long ModelVersion, string DocString, OnnxGraph Graph, IReadOnlyList<KeyValuePair<string, string>> MetadataProps)
{
    public byte[] Encode()
    {
        var graph = Graph.Encode();
        var w = new ProtoWriter(graph.Length + 4096);
        w.Int64(1, IrVersion);                                    // ModelProto.ir_version = 1
        w.String(2, ProducerName);                                // ModelProto.producer_name = 2
        w.String(3, ProducerVersion);                             // ModelProto.producer_version = 3
        w.String(4, Domain);                                      // ModelProto.domain = 4
        w.Int64(5, ModelVersion);                                 // ModelProto.model_version = 5
        w.String(6, DocString);                                   // ModelProto.doc_string = 6
        w.Message(7, graph);                                      // ModelProto.graph = 7
        var opset = new ProtoWriter(16);
        opset.String(1, "");                                      // OperatorSetIdProto.domain = 1 ("" = the default ONNX operator set)
        opset.Int64(2, OpsetVersion);                             // OperatorSetIdProto.version = 2
        w.Message(8, opset);                                      // ModelProto.opset_import = 8 (repeated)
        foreach (var (key, value) in MetadataProps)
        {
            var entry = new ProtoWriter(key.Length + value.Length + 8);
            entry.String(1, key);                                 // StringStringEntryProto.key = 1
            entry.String(2, value);                               // StringStringEntryProto.value = 2
            w.Message(14, entry);                                 // ModelProto.metadata_props = 14 (repeated)
        }
        return w.ToArray();
    }
}
