package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterCodec;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The optional "transfer" object of the configuration: kept through a file, absent when not set. */
class AdapterTransferJsonTest {

    private static Adapter adapter() {
        LayerAdapter layer = new LayerAdapter("fc", "NolaDense", new long[] {3, 2}, true, 1, 2, 2, 0.5, 7L,
                new float[] {1f, -2f}, new float[] {0.25f, 0f});
        return new Adapter("t", "gen", 1, "0".repeat(64), List.of(layer), List.of());
    }

    @Test
    void transferSettingsSurviveEncodeAndDecode() {
        String settings = "{\"tool\":\"x\",\"version\":1,\"trainable\":[\"bn1\"],\"head_n_out\":5}";
        Adapter decoded = AdapterCodec.decode(AdapterCodec.encode(adapter().withTransferJson(settings),
                WriteOptions.fp32()));
        assertEquals(settings, decoded.transferJson());
        assertArrayEquals(new float[] {1f, -2f}, decoded.layers().get(0).alpha());
        String json = AdapterBytes.json(AdapterCodec.encode(adapter().withTransferJson(settings),
                WriteOptions.fp32().plainConfig()));
        assertTrue(json.contains("\"transfer\":{\"tool\":\"x\""), json);
    }

    @Test
    void noSettingsWriteNoFieldAndReadAsEmpty() {
        byte[] file = AdapterCodec.encode(adapter(), WriteOptions.fp32().plainConfig());
        assertFalse(AdapterBytes.json(file).contains("transfer"));
        assertEquals("", AdapterCodec.decode(file).transferJson());
    }

    @Test
    void settingsThatAreNotJsonAreRefusedAtWrite() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdapterCodec.encode(adapter().withTransferJson("{not json"), WriteOptions.fp32()));
        assertTrue(e.getMessage().contains("transferJson is not valid JSON"), e.getMessage());
    }
}
