package dev.keel.os.image;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The store seen through names: resolves what a user types (a reference, a full or short id), and implements
 * inspect, history and {@code docker rmi} (untag; remove when the last tag goes or when named by id).
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

    /** An image by reference, {@code sha256:<id>}, or an unambiguous id prefix. */
    public StoredImage resolve(String nameOrId) throws NoSuchImageException {
        Optional<StoredImage> byId = resolveId(nameOrId);
        if (byId.isPresent()) {
            return byId.get();
        }
        ImageReference ref;
        try {
            ref = ImageReference.parse(nameOrId);
        } catch (IllegalArgumentException e) {
            throw new NoSuchImageException(nameOrId);
        }
        return references.lookup(ref).flatMap(store::find).orElseThrow(() -> new NoSuchImageException(nameOrId));
    }

    private Optional<StoredImage> resolveId(String text) {
        String hex = text.startsWith(Digest.ALGORITHM + ":") ? text.substring(Digest.ALGORITHM.length() + 1) : text;
        if (hex.length() < MIN_ID_PREFIX || !hex.matches("[a-f0-9]+")) {
            return Optional.empty();
        }
        List<StoredImage> matches = store.list().stream().filter(i -> i.id().hex().startsWith(hex)).toList();
        return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
    }

    public void tag(String nameOrId, String reference) throws IOException {
        references.tag(ImageReference.parse(reference), resolve(nameOrId).id());
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

    /** A line of {@code docker rmi} output. */
    public record Removal(String untagged, Digest deleted) {
    }

    /**
     * {@code docker rmi}: a reference is untagged and the image removed once no tag is left; an id removes the
     * image, which needs {@code force} while more than one tag points at it.
     */
    public List<Removal> remove(String nameOrId, boolean force) throws IOException {
        StoredImage image = resolve(nameOrId);
        List<ImageReference> tags = references.referencesTo(image.id());
        List<Removal> out = new ArrayList<>();
        boolean byId = resolveId(nameOrId).isPresent();
        if (!byId) {
            ImageReference ref = ImageReference.parse(nameOrId);
            references.untag(ref);
            out.add(new Removal(ref.familiar(), null));
            if (tags.size() > 1) {
                return out;
            }
        } else {
            if (tags.size() > 1 && !force) {
                throw new ImageConflictException("conflict: unable to delete " + image.id().hex().substring(0, 12)
                    + " (must be forced) - image is referenced in multiple repositories");
            }
            for (ImageReference ref : tags) {
                references.untag(ref);
                out.add(new Removal(ref.familiar(), null));
            }
        }
        store.delete(image.id());
        out.add(new Removal(null, image.id()));
        return out;
    }
}
