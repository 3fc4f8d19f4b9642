package io.github.nola4j.layers.adapter.format;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The nola4j release this code belongs to, which every adapter file records as
 * {@code "library_version"} ({@link io.github.nola4j.layers.adapter.AdapterFiles#write AdapterFiles#write}). Read once, in this order: the jar
 * manifest's {@code Implementation-Version} (nola-layers' jar), the resource
 * {@code nola4j-version.properties} that Maven fills with the project version when it builds the
 * classes, and {@link #UNKNOWN} when neither is there (classes copied without their resources).
 */
public final class LibraryVersion {

    /** The version when none can be read; also what files written before versions were recorded report. */
    public static final String UNKNOWN = "unknown";
    private static final String RESOURCE = "nola4j-version.properties";
    private static final String CURRENT = read();

    private LibraryVersion() {
    }

    /** @return this library's version, e.g. "0.1.0" or "0.2.0-SNAPSHOT", or {@link #UNKNOWN} */
    public static String current() {
        return CURRENT;
    }

    private static String read() {
        String fromManifest = LibraryVersion.class.getPackage().getImplementationVersion();
        if (fromManifest != null && !fromManifest.isBlank()) {
            return fromManifest;
        }
        try (InputStream in = LibraryVersion.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "").trim();
                if (!v.isEmpty() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through to UNKNOWN: a version is a label, never a reason to fail
        }
        return UNKNOWN;
    }
}
