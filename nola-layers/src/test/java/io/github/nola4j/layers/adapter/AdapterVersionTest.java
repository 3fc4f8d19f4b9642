package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterCodec;
import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import io.github.nola4j.layers.adapter.format.LibraryVersion;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Files record the release that wrote them; fields added within format version 2 default when absent. */
class AdapterVersionTest {

    @TempDir
    Path dir;

    @Test
    void theLibraryVersionIsTheMavenProjectVersion() {
        assertNotEquals(LibraryVersion.UNKNOWN, LibraryVersion.current(), "the filtered resource is missing");
        assertTrue(LibraryVersion.current().matches("\\d+\\.\\d+\\.\\d+.*"), LibraryVersion.current());
    }

    @Test
    void writtenFilesRecordTheLibraryVersionAndReadItBack() throws Exception {
        Path file = dir.resolve("v.nola");
        AdapterFiles.write(GoldenFileTest.expected(), file, WriteOptions.fp32());
        assertEquals(LibraryVersion.current(), AdapterFiles.read(file).libraryVersion());
        assertTrue(AdapterFiles.readConfigJson(file).contains("\"library_version\" : \"" + LibraryVersion.current()
                + "\""));
        // the deprecated argument order writes the same file
        Path old = dir.resolve("old-order.nola");
        AdapterFiles.write(old, GoldenFileTest.expected(), WriteOptions.fp32());
        assertArrayEquals(java.nio.file.Files.readAllBytes(file), java.nio.file.Files.readAllBytes(old));
    }

    @Test
    void filesWrittenBeforeVersionsWereRecordedReadWithTheDocumentedDefaults() throws Exception {
        for (String golden : new String[] {"golden-v1-q4-plain.nola", "golden-v2-q4-plain.nola",
                "golden-param1-fp32.nola"}) {
            try (InputStream in = getClass().getResourceAsStream("/adapter/" + golden)) {
                Adapter a = AdapterCodec.decode(in.readAllBytes());
                assertEquals("", a.libraryVersion(), golden);
                a.layers().forEach(l -> assertEquals(LayerAdapterKind.NOLA, l.kind(), golden));
            }
        }
    }

    @Test
    void anUnknownLayerKindIsATypedErrorNamingIt() {
        byte[] file = AdapterCodec.encode(GoldenFileTest.expected(), WriteOptions.fp32().plainConfig());
        String json = AdapterBytes.json(file).replace("\"name\":\"conv\",", "\"name\":\"conv\",\"kind\":\"dora\",");
        byte[] bad = AdapterBytes.build(json, AdapterBytes.payload(file));
        AdapterFormatException e = assertThrows(AdapterFormatException.class, () -> AdapterCodec.decode(bad));
        assertTrue(e.getMessage().contains("\"dora\"") && e.getMessage().contains("\"lora\""), e.getMessage());
    }

    @Test
    void aLoraEntryWhoseSizesAreNotItsFactorsIsATypedError() {
        byte[] file = AdapterCodec.encode(GoldenFileTest.expected(), WriteOptions.fp32().plainConfig());
        String json = new String(AdapterBytes.json(file).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)
                .replace("\"name\":\"conv\",", "\"name\":\"conv\",\"kind\":\"lora\",");
        byte[] bad = AdapterBytes.build(json, AdapterBytes.payload(file));
        AdapterFormatException e = assertThrows(AdapterFormatException.class, () -> AdapterCodec.decode(bad));
        assertTrue(e.getMessage().contains("fanIn·r = 18"), e.getMessage());
    }
}
