using System.Numerics;

namespace Backprop.Numerics;

/// <summary>
/// <see cref="Gemm"/> as the textbook writes it: C = alpha·op(A)·op(B) + beta·C as a triple loop, then the fused
/// epilogue element by element with <see cref="Scalar"/>'s maths. One thread, no blocking, no vectors: the engine's
/// tests run under it as well as under the managed kernels, so every fast path has a plain one to agree with.
/// </summary>
internal sealed class ReferenceGemmProvider : GemmProvider
{
    public override string Name => "reference";

    public override string Description => "reference, plain loops, 1 thread";

    internal override void Product<T>(GemmJob<T> g)
    {
        for (int i = 0; i < g.M; i++)
            for (int j = 0; j < g.N; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < g.K; p++)
                    sum += g.A[g.TransA ? g.OffsetA + p * g.Lda + i : g.OffsetA + i * g.Lda + p]     // op(A)[i, p]
                         * g.B[g.TransB ? g.OffsetB + j * g.Ldb + p : g.OffsetB + p * g.Ldb + j];    // op(B)[p, j]
                ref T c = ref g.C[g.OffsetC + i * g.Ldc + j];
                c = T.IsZero(g.Beta) ? g.Alpha * sum : g.Alpha * sum + g.Beta * c;   // beta = 0 ignores C (NaN there too)
            }
    }

    internal override void ProductAndEpilogue<T>(GemmJob<T> g)
    {
        Product(g);
        for (int i = 0; i < g.M; i++)
        {
            var c = g.C.AsSpan(g.OffsetC + i * g.Ldc, g.N);
            var aux = g.Aux is null ? default : g.Aux.AsSpan(g.AuxOffset + i * g.LdAux, g.N);
            switch (g.Epilogue)
            {
                case EpilogueKind.BiasActivation:   // z += b; a = f(z)
                    for (int j = 0; j < g.N; j++) aux[j] = c[j] += g.Bias![g.BiasOffset + j];
                    if (g.Function == Nonlinearity.Softmax) Scalar.Softmax(aux);
                    else for (int j = 0; j < g.N; j++) aux[j] = Scalar.Value(g.Function, aux[j]);
                    break;
                case EpilogueKind.Derivative:       // dX = (dZ·W) ⊙ f′(a)
                    for (int j = 0; j < g.N; j++) c[j] *= Scalar.Derivative(g.Function, aux[j]);
                    break;
                case EpilogueKind.AddScaled:        // dW = dZᵀ·X + l2·W
                    for (int j = 0; j < g.N; j++) c[j] += aux[j] * g.Scale;
                    break;
            }
        }
    }
}
