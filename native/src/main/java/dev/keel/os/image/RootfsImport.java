package dev.keel.os.image;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * {@code docker import}: a root-filesystem tarball (plain or compressed) becomes a one-layer image whose
 * config is the result of the {@code --change} instructions. Tagging it is the caller's, once the image is recorded.
 */
public final class RootfsImport {
    private final ImageCatalog catalog;
    private final ConfigChanges changes;
    private final ImageJson json;
    private final ImagePlatform platform;
    private final Clock clock;

    public RootfsImport(ImageCatalog catalog, ImageJson json, ImagePlatform platform, Clock clock) {
        this.catalog = catalog;
        this.changes = new ConfigChanges(json);
        this.json = json;
        this.platform = platform;
        this.clock = clock;
    }

    /**
     * @param tarball the root filesystem
     * @param changeInstructions {@code --change} values, applied in order
     * @param message the history comment; null or empty gives Docker's "Imported from -"
     * @throws IllegalArgumentException for a bad change instruction, before anything is stored
     */
    public StoredImage importTarball(InputStream tarball, List<String> changeInstructions, String message)
        throws IOException {
        ContainerDefaults defaults = changes.apply(ContainerDefaults.empty(), changeInstructions);
        ImageStore store = catalog.store();
        Digest diffId = store.addLayerTar(LayerStreams.uncompressed(tarball));
        String created = DateTimeFormatter.ISO_INSTANT.format(clock.instant());
        String comment = message == null || message.isEmpty() ? "Imported from -" : message;
        ImageConfig config = new ImageConfig(platform.architecture(), platform.os(), null, created, null, comment,
            defaults, RootFs.layers(List.of(diffId)),
            List.of(new HistoryEntry(created, null, null, comment, null)));
        try {
            return store.addImage(json.write(config));
        } catch (IOException | RuntimeException e) {
            store.discardUnreferencedBlob(diffId);
            throw e;
        }
    }
}
