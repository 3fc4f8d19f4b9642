package io.github.nola4j.layers.adapter.format;

import io.github.nola4j.layers.NolaFactors;
import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.quantization.CoefficientQuantization;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The numbers of an adapter file (P bytes, big-endian): per layer entry its first vector (α, or
 * LoRA's A) then its second (β, or B), each in the file's {@link CoefficientEncoding} (fp32: 4n
 * bytes; b bits: f32 scale + ceil(n·b/8) bytes of codes); then per extra tensor its values in C
 * order as f32. Every value read or written must be finite.
 */
public final class AdapterPayload {

    private AdapterPayload() {
    }

    /** @throws AdapterFormatException if a value is not finite */
    static byte[] write(Adapter adapter, CoefficientEncoding enc) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream payload = new DataOutputStream(bytes)) {
            for (LayerAdapter la : adapter.layers()) {
                requireFinite(la.name() + "/alpha", la.alpha());
                requireFinite(la.name() + "/beta", la.beta());
                writeVector(payload, la.alpha(), enc);
                writeVector(payload, la.beta(), enc);
            }
            for (ExtraTensor t : adapter.extraTensors()) {
                requireFinite(t.id(), t.values());
                writeFloats(payload, t.values());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads the layers' vectors from {@code in} (positioned at the payload, whose length the caller
     * checked against {@link #expectedBytes}); NOLA coefficients come back in
     * {@link NolaLayer#PARAMETRISATION}, converted from {@code parametrisation}.
     */
    static List<LayerAdapter> readLayers(ByteBuffer in, AdapterConfigJson.Config cfg, int parametrisation) {
        List<LayerAdapter> layers = new ArrayList<>();
        for (AdapterConfigJson.LayerEntry e : cfg.layers()) {
            float[] alpha = readVector(in, e.k(), cfg.encoding(), e.name() + "/alpha");
            float[] beta = readVector(in, e.l(), cfg.encoding(), e.name() + "/beta");
            if (e.kind() == LayerAdapterKind.NOLA) {
                NolaFactors.convertCoefficients(alpha, beta, parametrisation, NolaLayer.PARAMETRISATION,
                        LayerAdapter.fanIn(e.type(), e.weightShape()));
            }
            layers.add(new LayerAdapter(e.name(), e.type(), e.weightShape(), e.hasBias(), e.rank(), e.k(), e.l(),
                    e.scale(), e.basisSeed(), alpha, beta, e.kind()));
        }
        return layers;
    }

    /** Reads the extra tensors from {@code in}, positioned after the layers' vectors. */
    static List<ExtraTensor> readExtras(ByteBuffer in, AdapterConfigJson.Config cfg) {
        List<ExtraTensor> extras = new ArrayList<>();
        for (AdapterConfigJson.TensorEntry e : cfg.tensors()) {
            float[] values = new float[(int) product(e.shape())];
            in.asFloatBuffer().get(values);
            in.position(in.position() + values.length * Float.BYTES);
            requireFinite(e.layer() + "/" + e.param(), values);
            extras.add(new ExtraTensor(e.layer(), e.param(), e.shape(), values));
        }
        return extras;
    }

    /** @return Σ vector bytes of both vectors plus 4 bytes per extra tensor value; overflow is a format error */
    static long expectedBytes(AdapterConfigJson.Config cfg) {
        try {
            long n = 0;
            for (AdapterConfigJson.LayerEntry e : cfg.layers()) {
                n = Math.addExact(n, cfg.encoding().vectorBytes(e.k()));
                n = Math.addExact(n, cfg.encoding().vectorBytes(e.l()));
            }
            for (AdapterConfigJson.TensorEntry e : cfg.tensors()) {
                n = Math.addExact(n, Math.multiplyExact(product(e.shape()), (long) Float.BYTES));
            }
            return n;
        } catch (ArithmeticException e) {
            throw new AdapterFormatException("declared sizes in the configuration overflow 64 bits; the file is"
                    + " corrupt", e);
        }
    }

    private static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static void writeVector(DataOutputStream out, float[] v, CoefficientEncoding enc) throws IOException {
        if (!enc.isQuantized()) {
            writeFloats(out, v);
            return;
        }
        CoefficientQuantization.QuantizedVector q = CoefficientQuantization.quantize(v, enc.bits());
        out.writeFloat(q.scale());
        out.write(BitPacking.pack(q.codes(), enc.bits()));
    }

    private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        for (float x : v) {
            out.writeFloat(x);
        }
    }

    private static float[] readVector(ByteBuffer in, int n, CoefficientEncoding enc, String id) {
        try {
            if (!enc.isQuantized()) {
                float[] v = new float[n];
                in.asFloatBuffer().get(v);
                in.position(in.position() + n * Float.BYTES);
                requireFinite(id, v);
                return v;
            }
            float scale = in.getFloat();
            if (!Float.isFinite(scale) || scale < 0) {
                throw new AdapterFormatException(id + ": quantisation scale = " + scale + " must be finite and >= 0;"
                        + " the adapter is corrupt or its training diverged");
            }
            int bytes = (int) BitPacking.packedBytes(n, enc.bits());
            int[] codes = BitPacking.unpack(in.array(), in.position(), n, enc.bits());
            in.position(in.position() + bytes);
            float[] v = CoefficientQuantization.dequantize(new CoefficientQuantization.QuantizedVector(enc.bits(), scale,
                    codes));
            requireFinite(id, v);
            return v;
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new AdapterFormatException(id + ": payload ends early; the file is corrupt", e);
        }
    }

    /** @throws AdapterFormatException naming the first non-finite value */
    public static void requireFinite(String id, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new AdapterFormatException(id + "[" + i + "] = " + values[i] + " is not finite; the adapter is"
                        + " corrupt or its training diverged. Retrain or re-export it");
            }
        }
    }
}
