package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.LoadOptions;
import org.nd4j.autodiff.samediff.SameDiff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Rebuilds an adapted graph from the base graph and an adapter file alone ({@link NolaGraphTransfer#restore}):
 * the file's {@link GraphTransferSettings} give the selection (the weights by name) and each weight's options;
 * the base is adapted with them and the file's α and β (LoRA: A and B) are loaded with every check, the base
 * fingerprint included ({@link GraphAdapterApplier}).
 */
final class GraphAdapterRestore {

    private static final Logger log = LoggerFactory.getLogger(GraphAdapterRestore.class);

    private GraphAdapterRestore() {
    }

    /**
     * @throws io.github.nola4j.layers.adapter.format.AdapterFormatException   when the file is corrupt or holds no graph
     *                                                                  settings
     * @throws io.github.nola4j.layers.adapter.AdapterMismatchException when it was saved from a DL4J network, or
     *                                                                  does not fit {@code base}
     */
    static GraphTransferResult restore(SameDiff base, Path file) throws IOException {
        Adapter adapter = AdapterFiles.read(file);
        GraphTransferSettings settings = GraphTransferSettings.fromJson(adapter.transferJson(), file.toString());
        NolaGraphTransfer transfer = NolaGraphTransfer.of(base);
        for (GraphTransferSettings.Weight w : settings.weights()) {
            transfer.targetNames(w.name()).override(Pattern.quote(w.name()), s -> w.spec());
        }
        GraphTransferResult result = transfer.build();
        GraphAdapterApplier.apply(result, adapter, LoadOptions.STRICT);
        log.info("Restored the adapter of {} graph weights from {} (written by nola4j {})", settings.weights().size(),
                file, adapter.libraryVersion().isEmpty() ? "of a release that did not record it"
                        : adapter.libraryVersion());
        return result;
    }
}
