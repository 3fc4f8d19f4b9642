package io.github.nola4j.samples.report;

import io.github.nola4j.samples.Option;
import io.github.nola4j.samples.UsageException;
import io.github.nola4j.samples.cnn.Method;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --methods} names and their reference learning rates; mean and std of the report. */
class VariantTest {

    @Test
    void defaultListHasTheMeasuredRates() {
        List<Variant> v = Variant.parseList(Variant.DEFAULT_LIST, 4);
        assertEquals(10, v.size());
        assertEquals(new Variant("nola16", Method.NOLA, 4, 16, 1e-2), v.get(1));
        assertEquals(new Variant("nola64", Method.NOLA, 4, 64, 1e-2), v.get(2));
        assertEquals(new Variant("nola172", Method.NOLA, 4, 172, 3e-2), v.get(3));
        assertEquals(1e-2, Variant.parse("nola86", 4).learningRate(), "measured better than 3e-2 at 86 bases");
        assertEquals(1e-2, Variant.parse("nola127", 4).learningRate());
        assertEquals(3e-2, Variant.parse("nola128", 4).learningRate());
        assertEquals(3e-2, v.get(4).learningRate());
        assertEquals(new Variant("nola345", Method.NOLA, 4, 345, 3e-2), v.get(5));
        assertEquals(new Variant("lora1", Method.LORA, 1, 64, 3e-3), v.get(6));
        assertEquals(1e-2, v.get(8).learningRate());
        assertEquals("LoRA r=4", v.get(8).label());
        assertEquals(1e-2, v.get(0).learningRate(), "head only trains the head, at the head's rate");
        assertTrue(Option.METHODS.help().contains("(default: " + Variant.DEFAULT_LIST + ")"), Option.METHODS.help());
    }

    @Test
    void explicitRate() {
        Variant v = Variant.parse("NOLA256@0.1", 4);
        assertEquals("nola256@0.1", v.id());
        assertEquals(0.1, v.learningRate());
        assertEquals("NOLA k=l=256 lr 0.1", v.label());
    }

    @Test
    void quantizationAwareSpelling() {
        Variant v = Variant.parse("nola28Q4@0.03", 4);
        assertEquals("nola28q4@0.03", v.id());
        assertEquals(new Variant("nola28q4@0.03", Method.NOLA, 4, 28, 0.03, 4), v);
        assertEquals("NOLA k=l=28 QAT 4-bit lr 0.03", v.label());
        assertEquals(4, v.spec(2).quantizationBits());
        assertEquals(Method.NOLA.spec(4, 28, 2), Variant.parse("nola28", 4).spec(2));
        assertEquals(Method.NOLA.spec(4, 28, 2).withQuantizationBits(4), v.spec(2));
        for (String bad : new String[] {"lora1q4", "nola28q9", "nola28q1", "fullq4"}) {
            UsageException e = assertThrows(UsageException.class, () -> Variant.parse(bad, 4));
            assertTrue(e.getMessage().contains(bad) && e.getMessage().contains("nola64q4"), e.getMessage());
        }
    }

    @Test
    void stats() {
        Stats s = Stats.of(new double[] {0.90, 0.92, 0.94});
        assertEquals(0.92, s.mean(), 1e-12);
        assertEquals(0.02, s.std(), 1e-12);
        assertEquals("92.00 ± 2.00", s.percent());
    }
}
