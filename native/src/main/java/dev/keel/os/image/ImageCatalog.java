package dev.keel.os.image;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The store seen through names: resolves what a user types (a reference, a full or short id) and shows inspect and
 * history. Changes to tags and images are the Image entities' to record (dev.keel.actors.image.LocalImages), which
 * then apply them to the store and the reference index.
 */
public final class ImageCatalog {
    private static final int MIN_ID_PREFIX = 4;
    private final ImageStore store;
    private final ReferenceIndex references;

    public ImageCatalog(ImageStore store, ReferenceIndex references) {
        this.store = store;
        this.references = references;
    }

    public ImageStore store() {
        return store;
    }

    public ReferenceIndex references() {
        return references;
    }

    /**
     * An image by reference, {@code sha256:<id>}, or an unambiguous id prefix. A reference wins over an id prefix
     * that reads the same, as in Docker; an ambiguous prefix names no image.
     */
    public StoredImage resolve(String nameOrId) throws NoSuchImageException {
        Optional<StoredImage> byReference = resolveReference(nameOrId);
        if (byReference.isPresent()) {
            return byReference.get();
        }
        return resolveId(nameOrId).orElseThrow(() -> new NoSuchImageException(nameOrId));
    }

    /** Whether {@code nameOrId} names the image {@code id} by its id (full, hex, or a prefix), Docker's test in rmi. */
    public static boolean namesId(String nameOrId, Digest id) {
        String hex = nameOrId.startsWith(Digest.ALGORITHM + ":") ? nameOrId.substring(Digest.ALGORITHM.length() + 1)
            : nameOrId;
        return !hex.isEmpty() && id.hex().startsWith(hex);
    }

    private Optional<StoredImage> resolveReference(String text) {
        ImageReference ref;
        try {
            ref = ImageReference.parse(text);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return references.lookup(ref).flatMap(store::find);
    }

    private Optional<StoredImage> resolveId(String text) {
        String hex = text.startsWith(Digest.ALGORITHM + ":") ? text.substring(Digest.ALGORITHM.length() + 1) : text;
        if (hex.length() < MIN_ID_PREFIX || !hex.matches("[a-f0-9]+")) {
            return Optional.empty();
        }
        List<StoredImage> matches = store.list().stream().filter(i -> i.id().hex().startsWith(hex)).toList();
        return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
    }

    public List<String> repoTags(Digest id) {
        return references.referencesTo(id).stream().filter(r -> r.tag() != null).map(ImageReference::familiar).sorted().toList();
    }

    public ImageDetails inspect(String nameOrId) throws IOException {
        StoredImage image = resolve(nameOrId);
        ImageConfig c = image.config();
        return new ImageDetails(image.id(), repoTags(image.id()), c.created(), c.author(), c.comment(),
            c.architecture(), c.os(), c.configOrEmpty(), c.diffIds(), store.size(image.id()));
    }

    public List<HistoryItem> history(String nameOrId) throws IOException {
        StoredImage image = resolve(nameOrId);
        List<HistoryEntry> entries = image.config().history() == null ? List.of() : image.config().history();
        List<HistoryItem> items = new ArrayList<>();
        int layer = 0;
        for (HistoryEntry entry : entries) {
            long size = 0;
            if (entry.addsLayer() && layer < image.chainIds().size()) {
                size = layerSize(image, layer);
                layer++;
            }
            items.add(new HistoryItem(null, entry.created(), entry.createdBy(), List.of(), size, entry.comment()));
        }
        Collections.reverse(items);
        if (!items.isEmpty()) {
            HistoryItem top = items.get(0);
            items.set(0, new HistoryItem(image.id(), top.created(), top.createdBy(), repoTags(image.id()),
                top.size(), top.comment()));
        }
        return items;
    }

    private long layerSize(StoredImage image, int layer) throws IOException {
        return store.layerTarSize(image.config().diffIds().get(layer));
    }
}
