package io.github.nola4j.layers.adapter.format;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Raw DEFLATE (RFC 1951, no zlib header) of an adapter file's configuration JSON, set by flag
 * bit 0 of the header. Inflating never allocates more than the declared length R, and R may be
 * at most {@value #MAX_DEFLATE_RATIO}·C + 64 (DEFLATE's largest expansion of C stored bytes).
 */
final class ConfigCompression {

    private static final int MAX_DEFLATE_RATIO = 1032;

    private ConfigCompression() {
    }

    /** @return {@code data} as raw DEFLATE at the best compression */
    static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            d.setInput(data);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            while (!d.finished()) {
                out.write(buf, 0, d.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    /**
     * @param c stored length at {@code offset}
     * @param r declared inflated length
     * @return exactly r bytes inflated from {@code file[offset, offset + c)}
     * @throws AdapterFormatException if r is impossible, or the data is not DEFLATE of exactly r bytes
     */
    static byte[] inflate(byte[] file, int offset, int c, long r) {
        if (r > (long) MAX_DEFLATE_RATIO * c + 64) {
            throw new AdapterFormatException("declared configuration length " + r + " is more than DEFLATE can expand"
                    + " " + c + " bytes to; the file is corrupt");
        }
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(file, offset, c);
            byte[] out = new byte[(int) r];
            int n = 0;
            while (n < r && !inf.finished()) {
                int got = inf.inflate(out, n, (int) r - n);
                if (got == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != r || !(inf.finished() || probeEnd(inf))) {
                throw new AdapterFormatException("compressed configuration inflates to " + (inf.finished() ? n
                        : "more than " + n) + " bytes, not the declared " + r + "; the file is corrupt");
            }
            return out;
        } catch (DataFormatException e) {
            throw new AdapterFormatException("compressed configuration is not valid DEFLATE data (" + e.getMessage()
                    + "); the file is corrupt", e);
        } finally {
            inf.end();
        }
    }

    /** @return true if the stream ends without more output (r bytes were exactly the content) */
    private static boolean probeEnd(Inflater inf) throws DataFormatException {
        byte[] one = new byte[1];
        return inf.inflate(one) == 0 && inf.finished();
    }
}
